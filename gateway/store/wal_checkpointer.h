// Copies the write-ahead log back into the database on a thread and connection
// of its own, so that a commit never waits for a checkpoint. (SQLite otherwise
// runs one inside whichever commit takes the WAL past 1,000 pages: a tenth of the
// writer's time under a steady load.) The writer connection's automatic
// checkpoints are replaced by a WAL hook that tells this thread how long the log
// is; should the thread fall far behind, the writer checkpoints itself, so the
// log stays bounded.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/store/sqlite_connection.h"

namespace carebridge::gateway::store {

class WalCheckpointer {
 public:
  // Opens its own connection to `path` and takes over `writer`'s checkpoints.
  WalCheckpointer(const std::string& path, Connection& writer);
  // Stops the thread (after a last checkpoint); the writer checkpoints itself again.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int pages);
  void run();

  Connection& writer_;
  std::unique_ptr<Connection> db_;
  std::mutex mutex_;
  std::condition_variable wanted_;
  bool due_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace carebridge::gateway::store
