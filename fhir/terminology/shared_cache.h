// Internal to terminology: a map from canonical URL to an immutable value, built
// once and then only read. Readers take a shared lock; a value is built outside any
// lock (so building may look up other entries) and published with try_emplace: if
// two threads build the same entry at once, the first one kept is the one everybody
// gets. Entries are never removed, so the pointers handed out stay valid.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string_view>

#include "fhir/definitions/definitions.h"

namespace carebridge::fhir::terminology {

template <typename T>
class SharedCache {
 public:
  // The entry for `key` (which may be null: known to be unusable); nullopt when not built yet.
  std::optional<const T*> find(std::string_view key) const {
    std::shared_lock lock(mutex_);
    auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second.get();
  }
  // Keeps `value` for `key` unless an entry is there already; returns the entry kept.
  const T* publish(std::string_view key, std::unique_ptr<const T> value) {
    std::unique_lock lock(mutex_);
    return map_.try_emplace(std::string(key), std::move(value)).first->second.get();
  }

 private:
  mutable std::shared_mutex mutex_;
  definitions::StringMap<std::unique_ptr<const T>> map_;
};

}  // namespace carebridge::fhir::terminology
