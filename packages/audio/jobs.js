/** `@gatewave/audio/jobs`: enhancement and detection as queued jobs (loads BullMQ; not part of the main index). */
module.exports = require('./dist/jobs');
