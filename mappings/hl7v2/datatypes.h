// The v2-to-FHIR datatype maps (the IG's datatype tables): CX → Identifier, XPN →
// HumanName, XAD → Address, XTN → ContactPoint, CWE/CE/CNE → CodeableConcept, DTM/TS →
// dateTime, CQ → Quantity, XCN → a Practitioner, XON → an Organization, PL → a Location,
// OBX-5 by its value type, and the primitives. Each value remembers its v2 position.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mappings/engine/resource_tree.h"
#include "mappings/hl7v2/date_time.h"
#include "mappings/hl7v2/er7.h"
#include "mappings/hl7v2/map_spec.h"

namespace carebridge::mappings::hl7v2 {

// One repetition of a field, or one component of it (whose sub-components are its parts).
struct FieldValue {
  const Message* message = nullptr;
  const Segment* segment = nullptr;
  size_t field = 0, repetition = 1;
  size_t component = 0;  // 0: the whole repetition (its components are the parts)

  // Part i: component i of the repetition, or sub-component i of the component.
  std::string part(size_t i) const;
  // Component i as a composite whose parts are its sub-components.
  FieldValue sub(size_t i) const;
  std::string text() const { return part(1); }
  bool empty() const;
  // Where part i is ("PID[1]-3[2].4"); i = 0: the value itself.
  std::string where(size_t i = 0) const;
  // The parts from `first` on joined with `separator`, empty ones skipped.
  std::string joined(size_t first, std::string_view separator) const;
};

// What datatype maps need beyond the value: code systems, vocabulary, the message's time
// zone, and a way to add the resources that datatypes such as XCN stand for.
class DatatypeContext {
 public:
  virtual ~DatatypeContext() = default;
  virtual const MapSpec& spec() const = 0;
  // Adds (or finds) a resource the value stands for and returns its fullUrl.
  virtual std::string shared_resource(const std::string& type, engine::Node resource) = 0;
  virtual void warn(const std::string& where, const std::string& what) = 0;
  // nullopt when `system` is a code system known in full that lacks `code` (a sender's
  // local code under an HL7 table's name: it keeps its v2 system name as a local URI);
  // else the code's display there ("" when the system is not known).
  virtual std::optional<std::string> code_display(std::string_view, std::string_view) const { return std::string(); }
  bool known_code(std::string_view system, std::string_view code) const { return code_display(system, code).has_value(); }
  std::string timezone;  // "+06:00": the zone of times that have none (MSH-7's, else "Z")
};

// A v2 name in a URI: letters, digits and . - _ + kept, anything else a '-' ("GOOD HOSP" is
// GOOD-HOSP in urn:carebridge:v2:assigning-authority:GOOD-HOSP).
std::string uri_safe(std::string_view name);

// The system a coding gets: `system`, unless it is known and lacks `code`; then the local
// URI for the v2 name (`v2_name`, e.g. "HL70131").
std::string checked_system(const DatatypeContext& context, const std::string& system, std::string_view code,
                           std::string_view v2_name);

// The FHIR form of a v2 number; "" when the text is not one.
std::string fhir_decimal(std::string_view v2);
// A date/time field's text (at `where`) as FHIR: v2's DTM, or ISO 8601 with a warning; ""
// with a warning when it is neither or names a day that does not exist (date_time.h).
std::string moment_text(std::string_view text, const std::string& where, DatatypeContext& context, bool date_only = false);

// The field the rule's `unit` names (OBX-6 for OBX-5), in the segment `value` is in; none
// when the rule names none.
std::optional<FieldValue> unit_field(const Rule& rule, const FieldValue& value);

// Converts `value` by the datatype map `as`. For choice elements ("value[x]") `suffix`
// receives the type ("Quantity"). Returns an empty node when there is nothing to map.
engine::Node convert(const Rule& rule, const FieldValue& value, DatatypeContext& context, std::string& suffix);
// Whether the rule's datatype map takes every repetition of the field into one value
// (OBX-5 text: its repetitions are lines), so none is left out.
bool keeps_every_repetition(const Rule& rule, const FieldValue& value);
// Whether `name` is a datatype map `convert` knows ("CX", "dateTime", ...).
bool known_datatype_map(std::string_view name);

// A Quantity from part `part` of `value` (a number) and the units (a CWE, may be null):
// the units' code and system only when the units name their coding system.
engine::Node quantity(const FieldValue& value, size_t part, const FieldValue* units, const MapSpec& spec);
// A Quantity of a number already in FHIR's form (fhir_decimal), from `where`, in `units`.
engine::Node quantity_of(const std::string& decimal, const std::string& where, const FieldValue* units,
                         const MapSpec& spec);

// A v2 code through a vocabulary table: its mapped code, or the table's default; null
// when neither.
const VocabularyEntry* lookup(const Vocabulary& vocabulary, std::string_view code);

}  // namespace carebridge::mappings::hl7v2
