#include "gateway/store/current_cache.h"

#include <functional>
#include <unordered_set>

namespace carebridge::gateway::store {

std::string CurrentCache::key(std::string_view type, std::string_view id) {
  std::string k;
  k.reserve(type.size() + 1 + id.size());
  k.append(type).append(1, '/').append(id);
  return k;
}

size_t CurrentCache::shard_of(std::string_view key) { return std::hash<std::string_view>{}(key) % kShards; }

size_t CurrentCache::size_of(const ResourceRecord& r) {
  return sizeof(ResourceRecord) + r.type.size() + r.id.size() + r.last_updated.size() + r.method.size() +
         r.body.size() + r.access.size() + 2 * (r.type.size() + r.id.size() + 1) + 64;  // + the key twice, the node
}

std::optional<ResourceRecord> CurrentCache::find(std::string_view type, std::string_view id, Ticket& ticket) {
  std::string k = key(type, id);
  ticket.shard = shard_of(k);
  Shard& shard = shards_[ticket.shard];
  std::shared_ptr<const ResourceRecord> found;
  {
    std::lock_guard lock(shard.mutex);
    auto it = shard.records.find(k);
    if (it == shard.records.end()) {
      ticket.writes = shard.writes;
      return std::nullopt;
    }
    found = it->second;
  }
  return *found;  // copied outside the lock
}

void CurrentCache::keep(const ResourceRecord& record, const Ticket& ticket) {
  size_t size = size_of(record);
  if (size > shard_bytes_ / 4) return;  // a large resource would push out many small ones
  auto kept = std::make_shared<const ResourceRecord>(record);
  std::string k = key(record.type, record.id);
  Shard& shard = shards_[ticket.shard];
  std::lock_guard lock(shard.mutex);
  if (shard.writes != ticket.writes) return;  // a write ended since the read began: it may be older
  auto [it, added] = shard.records.try_emplace(k, kept);
  if (!added) return;  // another reader kept it first
  shard.order.push_back(std::move(k));
  shard.bytes += size;
  trim(shard);
}

void CurrentCache::trim(Shard& shard) {
  while (shard.bytes > shard_bytes_ && !shard.order.empty()) {
    auto it = shard.records.find(shard.order.front());
    if (it != shard.records.end()) {
      shard.bytes -= size_of(*it->second);
      shard.records.erase(it);
    }
    shard.order.pop_front();
  }
  if (shard.records.empty()) {
    shard.order.clear();
    shard.bytes = 0;
  } else if (shard.order.size() > 2 * shard.records.size() + 64) {
    // Written and read again, over and over: keys of forgotten entries pile up. Keep
    // each live key once, oldest first.
    std::unordered_set<std::string_view> seen;
    std::deque<std::string> live;
    for (const std::string& k : shard.order) {
      auto it = shard.records.find(k);
      if (it != shard.records.end() && seen.insert(it->first).second) live.push_back(it->first);
    }
    shard.order = std::move(live);
  }
}

void CurrentCache::forget(const std::vector<std::string>& keys) {
  for (const std::string& k : keys) {
    Shard& shard = shards_[shard_of(k)];
    std::lock_guard lock(shard.mutex);
    ++shard.writes;
    auto it = shard.records.find(k);
    if (it == shard.records.end()) continue;
    shard.bytes -= size_of(*it->second);
    shard.records.erase(it);  // its key stays in `order` until trimmed; erasing a missing key is harmless
  }
}

}  // namespace carebridge::gateway::store
