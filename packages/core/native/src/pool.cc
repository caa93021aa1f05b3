#include "pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
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

struct Pool::State {
  std::mutex busy;  // one run() at a time; others run serially
  std::mutex m;
  std::condition_variable wake;
  std::condition_variable done;
  const Task* job = nullptr;
  int ntasks = 0;
  std::atomic<int> next{0};
  std::atomic<int> active{0};
  std::atomic<unsigned long> generation{0};
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
  unsigned long seen = 0;
  for (;;) {
    // Spin very briefly, then sleep until the next job.
    const auto newJob = [&] { return s_->generation.load(std::memory_order_acquire) != seen; };
    if (!spinUntil(newJob, kWorkerSpin)) {
      std::unique_lock<std::mutex> lock(s_->m);
      s_->wake.wait(lock, newJob);
    }
    seen = s_->generation.load(std::memory_order_acquire);
    const Task* job = s_->job;
    const int n = s_->ntasks;
    for (int t = s_->next.fetch_add(1); t < n; t = s_->next.fetch_add(1)) (*job)(t, id);
    if (s_->active.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(s_->m);
      s_->done.notify_one();
    }
  }
}

void Pool::run(int ntasks, const Task& fn) {
  if (ntasks <= 0) return;
  if (ntasks == 1 || size_ == 1 || tlInTask || !s_->busy.try_lock()) {
    for (int t = 0; t < ntasks; ++t) fn(t, 0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(s_->m);
    s_->job = &fn;
    s_->ntasks = ntasks;
    s_->next.store(0);
    s_->active.store(size_ - 1);
    s_->generation.fetch_add(1, std::memory_order_acq_rel);
  }
  s_->wake.notify_all();
  tlInTask = true;
  for (int t = s_->next.fetch_add(1); t < ntasks; t = s_->next.fetch_add(1)) fn(t, 0);
  tlInTask = false;
  const auto allDone = [&] { return s_->active.load(std::memory_order_acquire) == 0; };
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
