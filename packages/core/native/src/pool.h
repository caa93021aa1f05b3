// A small persistent thread pool shared by every kernel of the addon.
//
// - Sized once, from GATEWAVE_THREADS or the CPUs this process may run on.
// - run(n, fn) calls fn(task, thread) for task in [0, n) on the caller plus the workers and returns when all are done.
// - Nested or concurrent calls (from a task, or from a second JS thread) run serially on the calling thread, so a
//   kernel can always call another kernel.
// - A thread with nothing to do spins for a few microseconds, then blocks on a condition variable (pool.cc says why
//   the spin is that short).
// - Tasks are claimed one by one, so the caller never waits for a sleeping worker to wake up: when it has run every
//   task itself, run() returns at once, and a worker that wakes late finds nothing left to do.
// - The pool is never destroyed: its threads are detached and sleep on a condition variable that lives until the
//   process ends, so process exit can never wait on (or destroy a condition variable used by) a pool thread.
#pragma once

#include <functional>

namespace gw {

class Pool {
 public:
  using Task = std::function<void(int task, int thread)>;
  static Pool& instance();
  /** Threads that take part in run(), the caller included (>= 1). */
  int size() const { return size_; }
  void run(int ntasks, const Task& fn);
  /** True while the calling thread is inside a pool task (work started from there runs serially). */
  static bool inTask();

 private:
  explicit Pool(int threads);
  void workerLoop(int id);
  struct State;
  State* s_;
  int size_;
};

/** parallel_for over [0, n) in contiguous chunks, at most one chunk per pool thread; serial when small or nested. */
void parallelRange(long n, long minPerTask, const std::function<void(long begin, long end, int thread)>& fn);

}  // namespace gw
