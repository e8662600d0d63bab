// The access facts of a resource version: what the security layer needs to decide,
// without reading the resource, who may see it. Derived once at write time (the
// writer's organization, the patients whose compartment holds it, the
// organizations it is addressed to, its security labels) and kept by the store
// next to the version, so that searches filter inside their query.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace carebridge::gateway::security {

struct AccessFacts {
  std::string owner;                  // id of the organization whose client first stored it; empty: none
  std::vector<std::string> patients;  // ids of the patients in whose compartment it is
  std::vector<std::string> parties;   // ids of organizations it is addressed to or names as carers
  uint32_t labels = 0;                // security labels (labels.h bits)
  bool shared = false;     // outside the patient compartment: directory and definitional data
  bool confined = false;   // never leaves its owner (a victim-service provider's record)
  bool relationship = false;  // a care relationship: its parties may see its patients' records
  std::string id;             // the resource's id: a Consent provision may name the record itself
};

// The stored form: "1|owner|p1,p2|o1,o2|labels|flags|id" (ids hold no '|' or ','; versions
// stored before the id was kept end at flags, and name no id).
std::string encode(const AccessFacts& facts);

// A parsed view of the stored form, without allocating (it points into the text).
class FactsView {
 public:
  explicit FactsView(std::string_view text);
  bool valid() const { return valid_; }
  std::string_view owner() const { return owner_; }
  uint32_t labels() const { return labels_; }
  bool shared() const { return flags_ & 1; }
  bool confined() const { return flags_ & 2; }
  bool relationship() const { return flags_ & 4; }
  std::string_view id() const { return id_; }
  // Calls `f(id)` for each patient (or party) until it returns true; returns whether one did.
  template <typename F>
  bool any_patient(F&& f) const { return any_of(patients_, f); }
  template <typename F>
  bool any_party(F&& f) const { return any_of(parties_, f); }
  bool has_patients() const { return !patients_.empty(); }
  AccessFacts facts() const;

 private:
  template <typename F>
  static bool any_of(std::string_view list, F&& f) {
    while (!list.empty()) {
      size_t comma = list.find(',');
      if (f(list.substr(0, comma))) return true;
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
    return false;
  }

  bool valid_ = false;
  std::string_view owner_, patients_, parties_, id_;
  uint32_t labels_ = 0;
  uint32_t flags_ = 0;
};

}  // namespace carebridge::gateway::security
