// A set of items under FHIRPath equality, hashed so union, distinct, intersect and
// exclude stay linear on large collections (a Bundle's resources, descendants()).
#pragma once

#include <unordered_map>

#include "fhir/fhirpath/fhirpath.h"

namespace carebridge::fhir::fhirpath {

class ItemSet {
 public:
  ItemSet() = default;
  explicit ItemSet(const Collection& items);

  // Whether an item equal to `item` (by `=`, or the same node) is in the set.
  bool contains(const Item& item) const;
  // Adds `item` (the set keeps a pointer: the item must outlive the set).
  void insert(const Item& item);

 private:
  std::unordered_multimap<size_t, const Item*> buckets_;
};

}  // namespace carebridge::fhir::fhirpath
