/** `@gatewave/forecast/jobs`: forecasting batches as queued jobs (loads BullMQ; not part of the main index). */
module.exports = require('./dist/jobs');
