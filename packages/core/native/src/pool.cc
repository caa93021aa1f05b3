#include "pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define GW_PAUSE() _mm_pause()
#else
#define GW_PAUSE() std::this_thread::yield()
#endif

namespace gw {

namespace {
thread_local bool tlInTask = false;

// How long a thread busy-waits before it blocks on a condition variable. Kept short: kernels come 10-20 µs apart
// (tfjs op dispatch), so a longer spin would keep the workers busy-waiting through the whole of training, taking the
// cores from Node's GC threads (2 threads were slower than 1 on 2 cores). A worker spins only to catch the next chunk
// of a job that is being handed out; the caller a little longer, since the last chunks usually end together.
constexpr auto kWorkerSpin = std::chrono::microseconds(2);
constexpr auto kCallerSpin = std::chrono::microseconds(10);

/** Busy-waits (with pause) until done() or `limit` has passed; returns done(). */
template <typename Done>
bool spinUntil(Done done, std::chrono::microseconds limit) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 16; ++i) {
      if (done()) return true;
      GW_PAUSE();
    }
    if (std::chrono::steady_clock::now() - start >= limit) return done();
  }
}

int detectThreads() {
  const char* env = std::getenv("GATEWAVE_THREADS");
  if (env && *env) {
    int n = std::atoi(env);
    if (n >= 1) return std::min(n, 256);
  }
  int n = 0;
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) n = CPU_COUNT(&set);
#endif
  if (n <= 0) n = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, std::min(n, 64));
}
}  // namespace

// One job at a time. Tasks are claimed with a compare-and-swap on `ticket` (generation << 32 | next task), so a worker
// that wakes late, after the job's tasks were all claimed (often by the caller itself), takes nothing, and the caller
// waits only for tasks that were claimed, never for a worker to wake up. A job's function and task count live in the
// slot of its generation's parity: the caller fills the next generation's slot while a late worker may still read
// the current one, and a worker's claim (a CAS on the exact generation and index it read) succeeds only while that
// generation is running, so a slot read that raced with the next job is never used.
struct Pool::State {
  struct Slot {
    std::atomic<const Task*> job{nullptr};  // atomic: a late worker may read it while the caller fills it
    std::atomic<int> ntasks{0};
    std::atomic<int> finished{0};
  };
  std::mutex busy;  // one run() at a time; others run serially
  std::mutex m;
  std::condition_variable wake;
  std::condition_variable done;
  std::atomic<std::uint64_t> ticket{0};
  std::uint64_t generation = 0;  // the caller's count of jobs (under `busy`)
  Slot slots[2];

  static std::uint64_t generationOf(std::uint64_t t) { return t >> 32; }
  Slot& slotOf(std::uint64_t gen) { return slots[gen & 1]; }

  /** Claims and runs tasks of job `gen` until none is left; `thread` is the caller's pool index. */
  void work(std::uint64_t gen, int thread) {
    Slot& slot = slotOf(gen);
    const Task* job = slot.job.load(std::memory_order_relaxed);
    const int n = slot.ntasks.load(std::memory_order_relaxed);
    std::uint64_t t = ticket.load(std::memory_order_acquire);
    for (;;) {
      if (generationOf(t) != gen || static_cast<int>(t & 0xffffffffu) >= n) return;
      if (!ticket.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      (*job)(static_cast<int>(t & 0xffffffffu), thread);
      if (slot.finished.fetch_add(1, std::memory_order_acq_rel) + 1 == n) {
        std::lock_guard<std::mutex> lock(m);
        done.notify_one();
      }
      t = ticket.load(std::memory_order_acquire);
    }
  }
};

Pool& Pool::instance() {
  // Deliberately leaked: see pool.h.
  static Pool* pool = new Pool(detectThreads());
  return *pool;
}

bool Pool::inTask() { return tlInTask; }

Pool::Pool(int threads) : s_(new State()), size_(threads) {
  for (int i = 1; i < size_; ++i) {
    try {
      std::thread(&Pool::workerLoop, this, i).detach();
    } catch (...) {
      size_ = i;
      break;
    }
  }
}

void Pool::workerLoop(int id) {
  tlInTask = true;
  std::uint64_t seen = 0;
  for (;;) {
    // Spin very briefly, then sleep until the next job.
    const auto newJob = [&] { return State::generationOf(s_->ticket.load(std::memory_order_acquire)) != seen; };
    if (!spinUntil(newJob, kWorkerSpin)) {
      std::unique_lock<std::mutex> lock(s_->m);
      s_->wake.wait(lock, newJob);
    }
    seen = State::generationOf(s_->ticket.load(std::memory_order_acquire));
    s_->work(seen, id);
  }
}

void Pool::run(int ntasks, const Task& fn) {
  if (ntasks <= 0) return;
  if (ntasks == 1 || size_ == 1 || tlInTask || !s_->busy.try_lock()) {
    for (int t = 0; t < ntasks; ++t) fn(t, 0);
    return;
  }
  const std::uint64_t gen = ++s_->generation;
  State::Slot& slot = s_->slotOf(gen);
  slot.job.store(&fn, std::memory_order_relaxed);
  slot.ntasks.store(ntasks, std::memory_order_relaxed);
  slot.finished.store(0, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(s_->m);
    s_->ticket.store(gen << 32, std::memory_order_release);
  }
  s_->wake.notify_all();
  tlInTask = true;
  s_->work(gen, 0);
  tlInTask = false;
  const auto allDone = [&] { return slot.finished.load(std::memory_order_acquire) == ntasks; };
  if (!spinUntil(allDone, kCallerSpin)) {
    std::unique_lock<std::mutex> lock(s_->m);
    s_->done.wait(lock, allDone);
  }
  s_->busy.unlock();
}

void parallelRange(long n, long minPerTask, const std::function<void(long, long, int)>& fn) {
  if (n <= 0) return;
  Pool& pool = Pool::instance();
  long tasks = std::min<long>(pool.size(), std::max<long>(1, n / std::max<long>(1, minPerTask)));
  if (tasks <= 1 || Pool::inTask()) {
    fn(0, n, 0);
    return;
  }
  const long chunk = (n + tasks - 1) / tasks;
  pool.run(static_cast<int>(tasks), [&](int t, int thread) {
    long b = t * chunk, e = std::min(n, b + chunk);
    if (b < e) fn(b, e, thread);
  });
}

}  // namespace gw
