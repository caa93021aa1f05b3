#!/usr/bin/env node
// The installed `gatewave-audio` command. It is committed (not built) so that npm links it on a fresh clone, where
// dist/ does not exist yet when npm creates the links; it runs the built command line.
'use strict';
const fs = require('fs');
const path = require('path');

const built = path.join(__dirname, '..', 'dist', 'cli.js');
if (!fs.existsSync(built)) {
  process.stderr.write(
    `gatewave-audio: the package is not built (${built} is missing); run \`npm run build\` in the repository root.\n`,
  );
  process.exit(1);
}
require(built).main(process.argv);
