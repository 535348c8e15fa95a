// Vault core: format, crypto, machine id and storage. No CLI, terminal or process code here.
export * from './errors';
export * from './format';
export * from './crypto';
export * from './keys';
export * from './machine-id';
export * from './storage';
export * from './vault';
