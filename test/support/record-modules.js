// Preloaded with `node --require` by tests: at exit, writes the paths of every loaded module, one
// per line, to the file named by AMULET_TEST_MODULE_LOG.
'use strict';
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.AMULET_TEST_MODULE_LOG, Object.keys(require.cache).join('\n'));
});
