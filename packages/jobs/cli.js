/** `@gatewave/jobs/cli`: the queue commands and flags shared by gatewave's command lines (not part of the library's index). */
module.exports = require('./dist/cli');
