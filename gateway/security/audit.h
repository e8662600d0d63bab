// The audit trail: an AuditEvent (FHIR R4, DICOM/IHE-style "rest" events) for every
// create, update, delete, read, search, disclosure and refused access — who (client,
// organization), what (the resources, the query), when, which patients, outcome and
// purpose. Writes are recorded in the same store commit as the write itself
// (event_write); reads, searches and refusals are queued and stored in groups, by one
// thread, so that the request path never waits for them (record). AuditEvents are
// never updated or deleted (the access policy refuses it on every interface), are
// read by administrators only, and a patient's accounting of disclosures is the
// search AuditEvent?patient=<id>&action=R.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <optional>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/search/index.h"
#include "gateway/security/principal.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::security {

struct AuditRecord {
  char action = 'R';          // AuditEvent.action: C, R, U, D or E
  std::string subtype;        // restful-interaction code: read, vread, search-type, create, transaction, ...
  int outcome = 0;            // 0 success, 4 refused or failed for the client's reason, 8 the server's
  std::string outcome_text;   // why it was refused or failed (plain words, no personal data)
  std::string client;         // client id; empty: anonymous or the open server
  std::string organization;   // the client's organization id
  std::string purpose = "TREAT";
  std::string address;        // the caller's network address
  std::vector<std::string> entities;  // "Type/id" of what was read, written or refused
  std::vector<std::string> patients;  // ids of the patients they are about
  std::vector<std::string> queries;  // searches' query texts (kept in the audit store only)
  int64_t time_ms = 0;        // 0: now
  size_t more = 0;            // entities left out of `entities` (a large transaction)

  // Fills client, organization and purpose from a caller (null: the open server).
  void set_caller(const Principal* who);
  // Adds a resource read, written or refused, and the patients its access facts name.
  void add_resource(const store::ResourceRecord& resource);
};

class AuditTrail {
 public:
  // `extractor` indexes AuditEvents for search (the write path's).
  // `new_id` makes the events' ids (the write path's).
  AuditTrail(store::Store& store, const fhir::definitions::Definitions& definitions,
             const fhir::search::IndexExtractor& extractor, std::function<std::string()> new_id);
  ~AuditTrail();  // stores what is queued

  // The AuditEvent of `record` as a store write.
  store::Write event_write(const AuditRecord& record) const;
  // A write's audit record, to carry in the write's own commit (the store's "audit" log):
  // the write and its record are stored together or not at all, and the trail turns the
  // log into AuditEvents within a moment (follow_log).
  static std::string log_record(const AuditRecord& record);
  static std::optional<AuditRecord> from_log_record(std::string_view text);
  static constexpr const char* kLog = "audit";
  // Turns the store's "audit" log into AuditEvents from now on, resuming after the
  // sequence number kept in `cursor_file` (rewritten after each group is stored).
  void follow_log(std::filesystem::path cursor_file);
  // Queues an event; it is stored within a fraction of a second, grouped with others.
  // When kMaxQueued events wait already, the caller waits for room: a server answering
  // searches faster than their events can be stored is slowed to that pace instead of
  // queueing without bound (at 8,000 searches a second the queue had grown by 180 MB in
  // ten seconds, and the trail lagged further behind every second).
  void record(AuditRecord record);
  // The same without ever waiting, for the store's commit hooks: the trail's own commit
  // may be what they run in (their events are few: refused notifications).
  void record_without_waiting(AuditRecord record);
  static constexpr size_t kMaxQueued = 4096;
  // Waits until every queued event is stored (tests, shutdown).
  void flush();

  static constexpr size_t kMaxEntities = 200;

 private:
  void run();
  void enqueue(AuditRecord record, bool may_wait);
  std::string event_json(const AuditRecord& record, const std::string& id, const std::string& instant) const;

  store::Store& store_;
  const fhir::definitions::Definitions& definitions_;
  const fhir::search::IndexExtractor& extractor_;
  std::function<std::string()> new_id_;
  std::mutex mutex_;
  std::condition_variable wake_, drained_, room_;
  std::deque<AuditRecord> queue_;
  size_t in_flight_ = 0;
  bool stopping_ = false;
  bool following_ = false;
  std::filesystem::path cursor_file_;
  int64_t cursor_ = 0;       // the last audit log record turned into an event
  uint64_t passes_ = 0;      // completed passes (flush waits for one that found nothing left)
  bool caught_up_ = false;   // the last pass left nothing in the queue or the log
  // Reads the log's next records after the cursor (the writer thread only).
  std::vector<AuditRecord> next_from_log(int64_t& last_seq, bool& more);
  void save_cursor(int64_t seq);
  std::thread thread_;
};

}  // namespace carebridge::gateway::security
