/**
 * `@gatewave/core/batch-gc`: V8's garbage collector set up for batch work. gatewave's command lines import it first,
 * before anything else is loaded (the setting must not change while a collection is under way).
 *
 * Why: a tfjs model allocates every tensor as a fresh typed array outside the JavaScript heap, hundreds of MB per
 * 5 s file for an enhancer, and V8 answers that external memory with a major collection several times per file. With
 * concurrent marking (V8's default) each of those also runs marking tasks on V8's helper threads: one 1-thread
 * `enhance` process used 1.3 cores, and two processes on 2 cores slowed each other down. Marking on the main thread
 * instead (helpers still help within the final pause, while the main thread waits) takes no more main-thread CPU (measured: the same main-thread CPU per file, the helper threads' CPU cut by
 * 85%), so a process uses one core and N processes scale on N cores. Concurrent marking only helps an interactive
 * process that has idle cores to give it; `GATEWAVE_CONCURRENT_GC=1` keeps it.
 *
 * Only `--no-concurrent-marking` is changed, at start-up: V8 reads it when a marking cycle starts (`--single-threaded-gc`
 * set from a running process crashes V8).
 */
'use strict';
// Only while the process's main script is still loading (a command line starting up), never in a process that has
// been running for a while and may be marking now (a test runner that imports a command line's module).
const starting = require.main !== undefined && !require.main.loaded;
if (starting && process.env.GATEWAVE_CONCURRENT_GC !== '1') require('v8').setFlagsFromString('--no-concurrent-marking');
