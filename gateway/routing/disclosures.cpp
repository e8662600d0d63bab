#include "gateway/routing/disclosures.h"

namespace carebridge::gateway::routing {

using Clock = std::chrono::steady_clock;

Disclosures::Disclosures(Emit emit, std::chrono::milliseconds window, size_t max_records)
    : emit_(std::move(emit)), window_(window), max_records_(std::max<size_t>(1, max_records)), thread_([this] { run(); }) {}

Disclosures::~Disclosures() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  flush();
}

void Disclosures::add(const std::string& subscription_id, const std::string& owner,
                      const std::vector<store::ResourceRecord>& records) {
  if (records.empty()) return;
  std::vector<std::pair<std::string, Pending>> full;
  {
    std::lock_guard lock(mutex_);
    auto [it, added] = pending_.try_emplace(subscription_id);
    Pending& p = it->second;
    if (added || p.records.empty()) p.since = Clock::now(), p.owner = owner;
    for (const auto& r : records) {
      p.records.push_back(r);
      p.records.back().body.clear();  // the audit trail keeps who and what, never the content
    }
    if (p.records.size() >= max_records_) {
      full.emplace_back(subscription_id, std::move(p));
      pending_.erase(it);
    }
  }
  hand_on(std::move(full));
}

std::vector<std::pair<std::string, Disclosures::Pending>> Disclosures::take_due(Clock::time_point now, bool all) {
  std::vector<std::pair<std::string, Pending>> due;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (all || now - it->second.since >= window_) {
      due.emplace_back(it->first, std::move(it->second));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return due;
}

void Disclosures::hand_on(std::vector<std::pair<std::string, Pending>> due) {
  for (auto& [id, p] : due) emit_(id, p.owner, std::move(p.records));
}

void Disclosures::flush() {
  std::vector<std::pair<std::string, Pending>> due;
  {
    std::lock_guard lock(mutex_);
    due = take_due(Clock::now(), true);
  }
  hand_on(std::move(due));
}

void Disclosures::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, window_ / 4);
    auto due = take_due(Clock::now(), false);
    lock.unlock();
    hand_on(std::move(due));
    lock.lock();
  }
}

}  // namespace carebridge::gateway::routing
