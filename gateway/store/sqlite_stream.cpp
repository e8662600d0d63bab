// Streaming commits of the SQLite store: the caller hands over a transaction's
// writes while it still prepares the rest, and the writer thread applies each as
// it arrives inside one SQLite transaction, committed (one WAL sync) when the
// caller finishes, rolled back when it gives up. Preparing (validation, indexing)
// and writing (B-tree inserts) then overlap on two cores.
#include <future>

#include "gateway/store/sqlite_connection.h"
#include "gateway/store/sqlite_store.h"

namespace carebridge::gateway::store {

struct SqliteStore::Stream {
  enum class State { Open, Finished, Abandoned };
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Write> incoming;
  State state = State::Open;

  // The next write, or nullopt once the caller finished or gave up and all were taken.
  std::optional<Write> next() {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return !incoming.empty() || state != State::Open; });
    if (incoming.empty()) return std::nullopt;
    Write w = std::move(incoming.front());
    incoming.pop_front();
    return w;
  }
  void close(State how) {
    {
      std::lock_guard lock(mutex);
      if (state == State::Open) state = how;
    }
    changed.notify_one();
  }
};

namespace {

constexpr size_t kWakeEvery = 8;

class SqliteStreamingCommit final : public StreamingCommit {
 public:
  SqliteStreamingCommit(std::shared_ptr<SqliteStore::Stream> stream, std::future<CommitResult> result)
      : stream_(std::move(stream)), result_(std::move(result)) {}
  ~SqliteStreamingCommit() override {
    if (!finished_) stream_->close(SqliteStore::Stream::State::Abandoned);  // the writer rolls back
  }
  void add(Write write) override {
    bool wake;
    {
      std::lock_guard lock(stream_->mutex);
      stream_->incoming.push_back(std::move(write));
      // The writer is woken for a few writes at a time, not once per write.
      wake = stream_->incoming.size() >= kWakeEvery;
    }
    if (wake) stream_->changed.notify_one();
  }
  CommitResult finish() override {
    finished_ = true;
    stream_->close(SqliteStore::Stream::State::Finished);
    return result_.get();
  }

 private:
  std::shared_ptr<SqliteStore::Stream> stream_;
  std::future<CommitResult> result_;
  bool finished_ = false;
};

}  // namespace

bool SqliteStore::apply_new(Connection& db, const std::vector<Write>& writes) {
  try {
    apply(db, writes);
    return true;
  } catch (const SqliteError&) {
    // The failed statement is undone; the caller rolls the whole transaction back.
    int code = sqlite3_extended_errcode(db.handle());
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) return false;
    throw;
  }
}

bool SqliteStore::settle(Pending& pending) {
  Stream& stream = *pending.stream;
  std::lock_guard lock(stream.mutex);
  if (stream.state == Stream::State::Open) return false;
  pending.abandoned = stream.state == Stream::State::Abandoned;
  if (!pending.abandoned) {
    pending.writes.reserve(stream.incoming.size());
    for (Write& w : stream.incoming) pending.writes.push_back(std::move(w));
  }
  stream.incoming.clear();
  pending.stream.reset();
  return true;
}

std::unique_ptr<StreamingCommit> SqliteStore::begin_streaming() {
  auto stream = std::make_shared<Stream>();
  auto promise = std::make_shared<std::promise<CommitResult>>();
  auto handle = std::make_unique<SqliteStreamingCommit>(stream, promise->get_future());
  auto done = [promise](CommitResult result) { promise->set_value(std::move(result)); };
  enqueue(std::make_unique<Pending>(Pending{{}, std::move(done), std::chrono::steady_clock::now(), stream}));
  return handle;
}

// Applies the stream's writes as they come; a conflict stops applying (the rest is
// drained) and rolls everything back, as does a caller that gives up.
CommitResult SqliteStore::write_stream(Stream& stream) {
  Connection& db = *writer_db_;
  CommitResult result;
  size_t index = 0;
  try {
    db.exec("BEGIN IMMEDIATE");
    Versions versions;
    while (auto w = stream.next()) {
      if (result.ok()) {
        std::vector<Write> one;
        one.push_back(std::move(*w));
        // New ids are not looked up; should one exist after all, the unique index
        // refuses the insert: a conflict, and the caller plans the commit again.
        result = check(db, one, versions, true);
        if (result.ok() && !apply_new(db, one)) {
          result = {CommitResult::Status::Conflict,
                    one[0].record.type + "/" + one[0].record.id + " was created meanwhile", index};
        }
        result.failed_write = index;
      }
      ++index;
    }
    bool abandoned;
    {
      std::lock_guard lock(stream.mutex);
      abandoned = stream.state == Stream::State::Abandoned;
    }
    if (!result.ok() || abandoned) {
      rollback(db);
      end_transaction(false);
      pids_.clear();  // ids given out in the rolled-back transaction are gone
      if (abandoned && result.ok()) result = {CommitResult::Status::Failed, "the commit was abandoned", 0};
      return result;
    }
    commit_log_->write();
    db.exec("COMMIT");
    end_transaction(true);
    writes_failing_ = false;
    return result;
  } catch (const std::exception& e) {
    rollback(db);
    end_transaction(false);
    pids_.clear();  // ids given out in the rolled-back transaction are gone
    while (stream.next()) {
    }
    CommitResult failure = failed(db, e);
    failure.failed_write = index;
    return failure;
  }
}

}  // namespace carebridge::gateway::store
