/**
 * `@gatewave/core/launch`: what every installed gatewave command (`bin/gatewave-*.js`) runs. The bins are committed,
 * not built, so that npm links them on a fresh clone, where dist/ does not exist yet when npm creates the links; this
 * file is plain JavaScript for the same reason. It runs the package's built command line, or says how to build it.
 */
'use strict';
const fs = require('fs');
const path = require('path');

/** Runs `<binDir>/../dist/cli.js`'s `main(process.argv)` for the command `name`; exits 1 when it is not built. */
function launch(name, binDir) {
  const built = path.join(binDir, '..', 'dist', 'cli.js');
  if (!fs.existsSync(built)) {
    process.stderr.write(
      `${name}: the package is not built (${built} is missing); run \`npm run build\` in the repository root.\n`,
    );
    process.exit(1);
  }
  require(built).main(process.argv);
}

module.exports = { launch };
