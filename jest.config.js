/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  // Argon2id at 64 MiB takes about 150 ms a run; end-to-end tests start containers.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // Tests start amulet processes; if one of them hangs because of a bug, its open pipes would keep
  // jest waiting after the last test. The failing test reports the bug; this makes the run end.
  forceExit: true,
};
