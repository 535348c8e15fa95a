#!/usr/bin/env node
'use strict';

const args = process.argv.slice(2);

// `version` skips the argument parser and every other module, so it starts as fast as node does.
if (args.length === 1 && (args[0] === 'version' || args[0] === '--version')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  require('../dist/cli/main.js')
    .main(args)
    .then((code) => {
      process.exitCode = code;
    });
}
