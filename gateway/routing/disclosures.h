// What notifications disclosed, gathered for the audit trail: a subscriber that is sent a
// notification every few milliseconds would otherwise cost one AuditEvent per
// notification, stored by the same writer as the writes that caused them. The records
// each subscription's notifications disclosed are gathered and handed on together — at
// most `window` after the first of them, or as soon as `max_records` are waiting — so
// every disclosure is still recorded (who, what, which patients), in a record per
// subscription per window.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store/store.h"

namespace carebridge::gateway::routing {

class Disclosures {
 public:
  using Emit = std::function<void(const std::string& subscription_id, const std::string& owner,
                                  std::vector<store::ResourceRecord> records)>;
  Disclosures(Emit emit, std::chrono::milliseconds window = std::chrono::seconds(1), size_t max_records = 200);
  ~Disclosures();  // hands on what is waiting
  Disclosures(const Disclosures&) = delete;
  Disclosures& operator=(const Disclosures&) = delete;

  void add(const std::string& subscription_id, const std::string& owner, const std::vector<store::ResourceRecord>& records);
  // Hands on everything waiting now (tests, shutdown).
  void flush();

 private:
  struct Pending {
    std::string owner;
    std::vector<store::ResourceRecord> records;
    std::chrono::steady_clock::time_point since;
  };
  void run();
  // Takes the groups due by `now` (all when `all`) out of `pending_` (the lock held).
  std::vector<std::pair<std::string, Pending>> take_due(std::chrono::steady_clock::time_point now, bool all);
  void hand_on(std::vector<std::pair<std::string, Pending>> due);

  Emit emit_;
  std::chrono::milliseconds window_;
  size_t max_records_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Pending> pending_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace carebridge::gateway::routing
