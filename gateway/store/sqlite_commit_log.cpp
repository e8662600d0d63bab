// The commit log's rows (see sqlite_commit_log.h).
#include "gateway/store/sqlite_commit_log.h"

namespace carebridge::gateway::store {
namespace {

void put_length(std::string& out, size_t n) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
}

// The records packed in one row, in order.
std::vector<std::string_view> unpack(std::string_view packed) {
  std::vector<std::string_view> out;
  while (packed.size() >= 4) {
    size_t n = 0;
    for (int i = 0; i < 4; ++i) n |= static_cast<size_t>(static_cast<unsigned char>(packed[i])) << (8 * i);
    if (packed.size() - 4 < n) break;  // a damaged row ends here
    out.push_back(packed.substr(4, n));
    packed.remove_prefix(4 + n);
  }
  return out;
}

}  // namespace

int64_t SqliteCommitLog::next_seq(std::string_view log) {
  auto it = next_seq_.find(log);
  if (it == next_seq_.end()) {
    // The last row's first number plus its records: the log's next number.
    static const std::string kLast =
        "SELECT seq, record FROM commit_log WHERE log = ?1 ORDER BY seq DESC LIMIT 1";
    auto q = db_.prepare(kLast);
    q.bind(1, log);
    int64_t next = q.step() ? q.int64(0) + static_cast<int64_t>(unpack(q.blob(1)).size()) : 1;
    it = next_seq_.emplace(std::string(log), next).first;
  }
  return it->second++;
}

int64_t SqliteCommitLog::append(std::string_view log, std::string_view record) {
  int64_t seq = next_seq(log);
  auto [it, added] = pending_.try_emplace(std::string(log));
  if (added) it->second.first_seq = seq;
  put_length(it->second.packed, record.size());
  it->second.packed.append(record);
  return seq;
}

void SqliteCommitLog::discard() {
  for (const auto& [log, pending] : pending_) next_seq_[log] = pending.first_seq;
  pending_.clear();
}

void SqliteCommitLog::write() {
  static const std::string kAppend = "INSERT INTO commit_log(log, seq, record) VALUES(?1, ?2, ?3)";
  for (const auto& [log, pending] : pending_) {
    auto q = db_.prepare(kAppend);
    q.bind(1, log).bind(2, pending.first_seq).bind_blob(3, pending.packed);
    q.run();
  }
  pending_.clear();
}

std::vector<LogRecord> SqliteCommitLog::read(Connection& db, std::string_view log, int64_t after, size_t limit) {
  // From the row holding `after` (the last row starting at or before it) on.
  static const std::string kRows =
      "SELECT seq, record FROM commit_log WHERE log = ?1 AND seq >= "
      "COALESCE((SELECT MAX(seq) FROM commit_log WHERE log = ?1 AND seq <= ?2), 0) ORDER BY seq";
  auto q = db.prepare(kRows);
  q.bind(1, log).bind(2, after);
  std::vector<LogRecord> out;
  while (out.size() < limit && q.step()) {
    int64_t seq = q.int64(0);
    for (std::string_view record : unpack(q.blob(1))) {
      if (seq > after && out.size() < limit) out.push_back({seq, std::string(record)});
      ++seq;
    }
  }
  return out;
}

}  // namespace carebridge::gateway::store
