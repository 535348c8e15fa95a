#!/usr/bin/env -S node --
'use strict';

// The shebang passes `--` so that node stops reading options there: node 20 otherwise takes a
// `--env-file` among the script's own arguments (compose's option) as its own and exits 9.

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
