// Commit hooks: code registered on the store that sees, inside the transaction that
// makes them, each write of a commit (the new version, and the one it replaces) and
// may add records to the store's logs in that same transaction. Subscription events
// and audit records are written this way, atomically with the resource: both or
// neither. The write log (write_log.h) is the first: what was written, in order.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "fhir/model/result.h"
#include "fhir/search/index_row.h"

namespace carebridge::gateway::store {

struct ResourceRecord;

// One write as a hook sees it.
struct WriteEvent {
  const ResourceRecord& record;  // the new version (record.deleted for a deletion)
  std::span<const fhir::search::IndexEntry> index;  // its search index rows (none for a deletion)
  int64_t previous_version = 0;  // the version it replaces; 0 for a create
  // The access facts of the version it replaces (access_facts.h); empty for a create and
  // when that version is a deletion.
  std::string_view previous_access;
  // The previous version's body (compact JSON), read from the store when called; empty when none.
  std::function<std::string()> previous_body;
  bool maintenance = false;  // the gateway's upkeep (store.h Write::maintenance)
};

// Records a hook adds to the commit (stored with it, or not at all).
class CommitLog {
 public:
  virtual ~CommitLog() = default;
  // Appends `record` to the log named `log`; the store gives it the log's next sequence
  // number, returned.
  virtual int64_t append(std::string_view log, std::string_view record) = 0;
};

class CommitHook {
 public:
  virtual ~CommitHook() = default;
  // Called for each write, in the commit's transaction. A failure rolls the whole
  // commit back: it fails with the hook's message, nothing of it is stored.
  virtual Result<void> on_write(const WriteEvent& event, CommitLog& log) = 0;
  // After the transaction whose writes it saw has committed (true) or rolled back
  // (false), on the same thread: state kept outside the store changes only now.
  virtual void ended(bool /*committed*/) {}
};

// One record of a log.
struct LogRecord {
  int64_t seq = 0;  // increasing within its log across the store's lifetime, never reused
  std::string record;
};

}  // namespace carebridge::gateway::store
