/** `@gatewave/core/cli`: the command-line helpers shared by gatewave's command lines (not part of the library's index). */
module.exports = require('./dist/cli');
