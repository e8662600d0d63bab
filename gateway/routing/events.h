// Subscription events, made in the commit that makes their cause: a commit hook matches
// each write against the stored subscriptions (their topics' triggers and filters, or
// their criteria, with the in-memory search matcher on the write's own index rows) and,
// when the subscription's client may see the record, appends an event to the
// subscription's log ("subscription/ID") in the same transaction: a crash never loses or
// invents one, and the log's numbers are the events' numbers, without gaps. An event the
// client may not see is not logged (the subscriber learns nothing of it, not even a count)
// and is counted as withheld.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "fhir/definitions/definitions.h"
#include "fhir/search/matcher.h"
#include "gateway/routing/care_teams.h"
#include "gateway/routing/subscription.h"
#include "gateway/routing/subscription_index.h"
#include "gateway/store/commit_hooks.h"
#include "gateway/store/store.h"

namespace carebridge::gateway::routing {

// The number of the last event logged for a subscription (its events since it started) in
// its log (Subscription::log), read from the store after `known`, a number already logged.
int64_t last_event_number(store::Store& store, const std::string& log, int64_t known);

// One event as logged: what changed (the version to send).
struct EventRecord {
  std::string type, id;
  int64_t version = 0;
  int64_t at_ms = 0;
  bool deleted = false;
  std::string access;  // the version's access facts (who it is about), for the audit trail
  // The version as the audit trail and the access policy see it (no body).
  store::ResourceRecord as_record() const;
  static std::string encode(const store::ResourceRecord& record);
  static bool decode(std::string_view text, EventRecord& out);
};

class SubscriptionEvents final : public store::CommitHook {
 public:
  // Whether the client `owner` (empty: the open server's caller) may learn of `record`.
  using Authorize = std::function<bool(const std::string& owner, const store::ResourceRecord& record)>;

  // `care_teams` (may be null) answers care-team filters.
  SubscriptionEvents(const Topics& topics, const fhir::search::SearchRegistry& registry, Authorize authorize,
                     const CareTeams* care_teams = nullptr);

  // Reads the stored subscriptions (at start, before serving).
  void load(store::Store& store);
  carebridge::Result<void> on_write(const store::WriteEvent& event, store::CommitLog& log) override;
  void ended(bool committed) override;

  // The current subscriptions (delivery reads this; a snapshot).
  std::vector<std::shared_ptr<const Subscription>> subscriptions() const;
  std::shared_ptr<const Subscription> find(const std::string& id) const;
  // The events logged for subscription `id` after event number `after`, at most `limit`,
  // from memory: true when memory holds every one of them (the last few hundred a
  // subscription was given since start), false when the store's log must be read.
  // Forgets what is at or before `after` (delivered).
  bool recent(const std::string& id, int64_t after, size_t limit, std::vector<store::LogRecord>& out);
  // Events withheld from a subscription since start.
  int64_t withheld(const std::string& id) const;
  // Called after a commit that logged events (`ids`: the subscriptions that got them) or
  // changed subscriptions (`ids` empty: look at every one).
  using Notify = std::function<void(const std::vector<std::string>& ids)>;
  void on_change(Notify notify) { notify_ = std::move(notify); }
  // Bounds each subscription's backlog: once `max_backlog` events wait undelivered (by
  // `delivered`, the last event number delivered), further events are not logged and
  // `overflowed` is told (after the commit) so that the subscription's status says so.
  void bound_backlog(int64_t max_backlog, std::function<int64_t(const std::string& id)> delivered,
                     std::function<void(const std::string& id, int64_t max_backlog)> overflowed) {
    max_backlog_ = max_backlog;
    delivered_ = std::move(delivered);
    overflowed_ = std::move(overflowed);
  }
  // A resource a chain reaches: its index rows, and its version (no body) for the access check.
  struct Reached {
    fhir::search::IndexedResource indexed;
    store::ResourceRecord record;
  };
  // The current version of a referenced resource ("Patient/7"), for criteria that chain
  // (Observation?patient.identifier=...); nullopt when there is none.
  using Referenced = std::function<std::optional<Reached>(std::string_view reference)>;
  // Without it a chain matches nothing; with it, a resource written earlier in the same
  // transaction is seen as that transaction wrote it. A chain reaches only what the
  // subscription's client may read (else its criteria would tell it what it may not).
  void resolve_references(Referenced referenced) { referenced_ = std::move(referenced); }
  // Told of each event withheld from a subscriber (after its commit), for the audit trail.
  using Withheld = std::function<void(const Subscription& subscription, const store::ResourceRecord& record)>;
  void on_withheld(Withheld withheld) { on_withheld_ = std::move(withheld); }

 private:
  void stage(const store::ResourceRecord& record);
  // Keeps the committed transaction's events in memory for delivery (see recent).
  void remember(bool committed);
  int64_t last_logged(const std::string& id) const;
  void match(const store::WriteEvent& event, store::CommitLog& log);
  // What the matcher's chains reach for the client `owner`: this transaction's writes, then
  // the store (`reached` keeps what was read for the write's other subscriptions).
  using ReachedCache = std::map<std::string, std::optional<Reached>, std::less<>>;
  fhir::search::Resolver resolver(const std::string& owner, ReachedCache& reached) const;

  const Topics& topics_;
  const fhir::search::SearchRegistry& registry_;
  Authorize authorize_;
  const CareTeams* care_teams_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::shared_ptr<const Subscription>> by_id_;
  SubscriptionIndex index_;  // which subscriptions a write may fire
  std::map<std::string, int64_t> withheld_;
  // Changes of the transaction under way (applied when it commits): id → new (null: removed).
  std::vector<std::pair<std::string, std::shared_ptr<const Subscription>>> staged_;
  std::map<std::string, int64_t> staged_withheld_;
  std::vector<std::pair<std::shared_ptr<const Subscription>, store::ResourceRecord>> staged_denials_;
  Withheld on_withheld_;
  int64_t max_backlog_ = 0;  // 0: unbounded
  std::function<int64_t(const std::string&)> delivered_;
  std::function<void(const std::string&, int64_t)> overflowed_;
  std::map<std::string, int64_t> last_logged_, staged_logged_;  // the last event number logged
  std::map<std::string, int64_t> delivered_seen_;               // delivery's last answer (writer thread only)
  std::vector<std::string> staged_overflows_;
  std::vector<std::pair<std::string, store::LogRecord>> staged_recent_;  // events of the transaction under way
  static constexpr size_t kRecent = 256;                                  // events kept in memory per subscription
  std::mutex recent_mutex_;
  std::map<std::string, std::deque<store::LogRecord>> recent_;
  bool logged_ = false;
  Notify notify_;
  Referenced referenced_;
  bool chained_ = false;  // some subscription's criteria chain (then this transaction's writes are kept)
  ReachedCache staged_written_;  // this transaction's writes by "Type/id" (nullopt: deleted)
};

// Reads referenced resources from `store`, their rows as `extractor` (the write path's) makes them.
SubscriptionEvents::Referenced stored_references(store::Store& store, const fhir::definitions::Definitions& definitions,
                                                 const fhir::search::IndexExtractor& extractor);

}  // namespace carebridge::gateway::routing
