// The background WAL checkpointer (see wal_checkpointer.h).
#include "gateway/store/wal_checkpointer.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

namespace carebridge::gateway::store {
namespace {

// When the thread checkpoints: 32 MB of 4 KB pages (SQLite checkpoints at 1,000 itself; a
// longer log copies the pages a steady load keeps changing once instead of many times).
constexpr int kCheckpointPages = 32768;
// Beyond this the writer stops waiting for the thread (about 256 MB of 4 KB pages).
constexpr int kWriterCheckpointPages = 64000;

}  // namespace

WalCheckpointer::WalCheckpointer(const std::string& path, Connection& writer)
    : writer_(writer), db_(std::make_unique<Connection>(path, false)) {
  db_->exec("PRAGMA mmap_size=0");  // it copies pages from the log into the file: nothing to map
  db_->exec("PRAGMA cache_size=-1024");
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::on_commit, this);
  thread_ = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wanted_.notify_all();
  if (thread_.joinable()) thread_.join();
  sqlite3_wal_autocheckpoint(writer_.handle(), kCheckpointPages);  // the writer's own hook again
}

int WalCheckpointer::on_commit(void* self, sqlite3* db, const char* schema, int pages) {
  auto* checkpointer = static_cast<WalCheckpointer*>(self);
  if (pages >= kWriterCheckpointPages) {
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= kCheckpointPages) {
    {
      std::lock_guard lock(checkpointer->mutex_);
      checkpointer->due_ = true;
    }
    checkpointer->wanted_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::run() {
  pthread_setname_np(pthread_self(), "cb-checkpoint");
  // Housekeeping: under load it yields the cores to the writer and the requests (which
  // wait for the writer); it has all the idle time it needs to keep the log short, and
  // the writer checkpoints itself should it fall far behind (kWriterCheckpointPages).
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
  std::unique_lock lock(mutex_);
  for (;;) {
    wanted_.wait(lock, [&] { return due_ || stopping_; });
    bool stop = stopping_;
    due_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, never blocks the writer or readers.
    sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    if (stop) return;
  }
}

}  // namespace carebridge::gateway::store
