#!/usr/bin/env node
// Committed so that npm links it before the build writes dist/: it runs the built CLI.
require('../dist/cli.js').main(process.argv);
