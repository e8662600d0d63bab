// ItemSet: buckets by a hash that equal items share (numbers by value, strings by
// text, complex elements by type and size), then `=` within the bucket.
#include "fhir/fhirpath/item_set.h"

#include <functional>

#include "fhir/fhirpath/quantity.h"
#include "fhir/fhirpath/value.h"

namespace carebridge::fhir::fhirpath {
namespace {

constexpr size_t kTemporal = 0x7e;

size_t mix(size_t seed, size_t value) { return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2)); }

// Hash of a System value, equal for values that are `=`: numbers by value,
// quantities by value in base units, dates in one bucket (zones and precision).
size_t value_hash(const Item& v) {
  std::hash<std::string_view> h;
  switch (v.type) {
    case SystemType::String:
    case SystemType::Boolean: return h(v.text);
    case SystemType::Integer:
    case SystemType::Decimal: {
      auto d = Decimal::parse(v.text);
      return d ? h(d->normalized().to_string()) : h(v.text);
    }
    case SystemType::Quantity: {
      auto d = Decimal::parse(v.text);
      auto unit = canonical_unit(v.unit);
      if (!d || !unit) return h(v.unit);
      auto base = multiply(*d, unit->factor);
      size_t seed = base ? h(base->normalized().to_string()) : 0;
      for (int dim : unit->dims) seed = mix(seed, static_cast<size_t>(dim));
      return seed;
    }
    default: return kTemporal;
  }
}

// Structural hash of an element, consistent with deep equality (member names and values).
size_t element_hash(const model::Element& e, int depth) {
  if (depth > 32) return 0;
  if (!e.is_primitive() && is_quantity_type(e.type)) {
    auto v = system_value(make_element(e));
    if (v) return value_hash(*v);
  }
  if (e.is_primitive() && e.has_value) {
    // `=` on primitives looks at the value only (a System value may equal it).
    auto v = system_value(make_element(e));
    return v ? value_hash(*v) : 0;
  }
  size_t seed = 0x3c;
  for (const model::Element* c : e.children()) {
    seed = mix(seed, std::hash<std::string_view>{}(c->name));
    seed = mix(seed, element_hash(*c, depth + 1));
  }
  return seed;
}

size_t bucket_of(const Item& item) {
  if (item.is_type_info) return std::hash<std::string_view>{}(item.text) ^ 0x7f;
  if (item.element) {
    if (item.element->is_primitive() && !item.element->has_value) {
      return std::hash<const void*>{}(item.element);  // never `=` to anything else
    }
    return element_hash(*item.element, 0);
  }
  return value_hash(item);
}

}  // namespace

ItemSet::ItemSet(const Collection& items) {
  for (const Item& item : items) insert(item);
}

bool ItemSet::contains(const Item& item) const {
  auto [from, to] = buckets_.equal_range(bucket_of(item));
  for (auto it = from; it != to; ++it) {
    const Item& other = *it->second;
    if (other.element && other.element == item.element) return true;
    if (items_equal(other, item) == true) return true;
  }
  return false;
}

void ItemSet::insert(const Item& item) { buckets_.emplace(bucket_of(item), &item); }

}  // namespace carebridge::fhir::fhirpath
