// The v2-to-FHIR mapping as data: message structures, which segment maps each message
// type applies to which segments, the segment maps (each v2 field to a FHIR element,
// through a datatype map and a vocabulary table) and the vocabulary tables. It is read
// from the JSON files in mappings/hl7v2/maps (the format is described in
// mappings/hl7v2/README.md), so a segment or message type is added by editing data.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"
#include "mappings/engine/resource_tree.h"
#include "mappings/hl7v2/structure.h"

namespace carebridge::mappings::hl7v2 {

// A field, component or sub-component of the current segment: "PID-3", "OBX-5.1", "CX-4.2".
struct FieldRef {
  std::string segment;  // empty: the current segment
  size_t field = 0;
  size_t component = 0;     // 0: the whole field
  size_t subcomponent = 0;  // 0: the whole component
};
std::optional<FieldRef> parse_field_ref(std::string_view text);

// A condition on fields of the current segment: each field's value (its first component,
// "" for empty) must be one of the values listed (or, negated, none of them).
struct Condition {
  FieldRef field;
  std::vector<std::string> values;
  bool negated = false;
  // "NK1-2|NK1-3|NK1-4": fields after the first, whose value is taken while the ones before
  // are empty (so `"unless": {"A|B": [""]}` is "unless A and B are both empty").
  std::vector<FieldRef> alternatives = {};
};

// One mapping rule of a segment map.
struct Rule {
  std::optional<FieldRef> from;  // the v2 value; absent for constants and references
  std::string to;                // path in the resource ("identifier[]", "valueQuantity.value")
  engine::Path to_path{""};      // `to`, read once (a choice's [x] is filled per value)
  std::string as;                // datatype map: "CX", "XPN", "dateTime", "code", ...
  std::string table;             // vocabulary table for codes
  std::optional<engine::Node> value;  // a constant
  std::string ref;               // a reference to the in-scope resource with this role
  bool other = false;            // with `ref`: the one another segment made (A24's other PID)
  std::string collect;           // references to every resource with this role in the group
  std::vector<Condition> when;
  std::optional<FieldRef> unit;     // the units field for quantities (OBX-6)
  std::optional<FieldRef> type_of;  // the value type field for varies (OBX-2)
  std::optional<FieldRef> high;     // with "as": "dose", the maximum to `from`'s minimum (RXE-4 to RXE-3)
  // The value becomes this member of a new item that also holds `with` ("participant[]":
  // {"individual": value, "type": ...}); without `member`, `with` is merged into the value.
  std::string member;
  std::optional<engine::Node> with;
  // The value is these fields' texts joined with "-" ("OBR-3.1|OBR-2.1": the first that
  // has one); nothing when the first is empty.
  std::vector<std::vector<FieldRef>> concat;
  bool if_absent = false;  // a default: applied only when `absent_path` has no value yet
  engine::Path absent_path{""};  // `to`, or the element "if_absent" names
  bool first_only = false; // only the field's first repetition
};

// One part of a record's key: the first of its fields that has a value ("AL1-3.1|AL1-3":
// the allergen's code, else the whole field's text); a key without a required part is none.
struct KeyPart {
  std::vector<FieldRef> alternatives;
  bool optional = false;  // "PR1-5?": part of the key when sent
};

// How a resource from a segment is written in the transaction.
enum class WriteMode { Update, Create, Put };

// One segment map: a segment's fields into one resource ("PID[Patient]").
struct SegmentMap {
  std::string name;
  std::string resource;  // FHIR resource type
  std::string role;      // how rules refer to it; the resource type by default
  // Where its fields go: a new resource (empty), the in-scope resource with the role
  // `into` (created when none), or the resource the previous segment made ("previous").
  std::string into;
  std::vector<std::string> previous_types;  // with into "previous": the types that take it
  // With into "previous": the names the segment before must have ("after": ["SCH"]: the
  // appointment's own note, not one about a resource booked); empty: any.
  std::vector<std::string> after;
  // With into "previous": every record the run of segments before made, not only the
  // nearest's (RAS's one RXR after an order's several RXA is each administration's route).
  bool every = false;
  std::string identity;    // the identifier path that finds the stored record ("identifier")
  // Without a business identifier: the fields whose values identify the record (a
  // patient's allergy to one substance), so every message about it writes the same id.
  std::vector<KeyPart> key;
  WriteMode write = WriteMode::Update;
  // Two of its segments in one message are two records even when their identity is the
  // same (thirteen lines of a text report under one OBX-3 and OBX-4): each after the first
  // gets its segment's set ID (field 1) in its identifier.
  bool distinct = false;
  // An update keeps what the stored record has and the message does not say ("merge": true):
  // an order's cancel (ORC-1 CA) says its status, not its requester, reason and notes again.
  bool merges = false;
  // With `into`: false when the segment only adds to a resource another segment made
  // (TQ1's timing to the MedicationRequest of an RXE, never one of its own).
  bool creates = true;
  std::vector<Condition> when;  // the segment makes the resource only when these hold
  std::vector<std::string> requires_segments;  // ... and one of these is in its group
  std::vector<std::string> without_segments;   // ... and none of these is
  std::string unmade;  // said at the segment when those keep it from making the resource
  std::vector<Rule> rules;
};

// A vocabulary table: v2 code → FHIR code (or coding).
struct VocabularyEntry {
  std::string code, system, display;
};
struct Vocabulary {
  std::string system;  // the FHIR code system of the mapped codes (when the entries do not say)
  std::map<std::string, VocabularyEntry, std::less<>> entries;
  std::optional<VocabularyEntry> fallback;  // for codes not listed
  // The FHIR element takes only the listed codes (a required binding, as clinicalStatus):
  // a code not listed is left out with a warning, not kept under the sender's system,
  // which would make the whole message refused for one local status code.
  bool closed = false;

  // The entry listed for `code`, matched exactly, else without regard to case (table 0396's
  // names are capitals; senders write "ucum"); null when not listed (the fallback is not).
  const VocabularyEntry* listed(std::string_view code) const;
};

// One message type (message code, or code^event): the segment maps it applies.
struct MessageMap {
  std::map<std::string, std::vector<std::string>, std::less<>> segments;
  // How the message writes the records it only gives as context, by type: "patient" and
  // "encounter" in the map's JSON. An ADT is the source of demographics and of the visit
  // (update); a result or an order names them (create, when no record has the identifier).
  std::map<std::string, WriteMode, std::less<>> context_writes;
  // Constants set on the resources made, by "Type.path": {"Encounter.status": "finished"}.
  std::vector<std::pair<std::string, engine::Node>> set;
  bool merge = false;  // A40/A47-style: MRG names a Patient replaced by PID's
  // Why messages of this type are refused rather than mapped ("refuse" in the JSON): an
  // event whose meaning no FHIR write carries safely (A29 deletes a person's information;
  // mapped as usual it would write the person as a live record).
  std::string refusal;
};

class MapSpec {
 public:
  // Reads the map files in `dir` (structures.json, messages.json, segments.json,
  // vocabulary.json); the issues say which file and what is wrong.
  static carebridge::Result<std::shared_ptr<const MapSpec>> load(const std::string& dir);
  // The shipped maps: $CAREBRIDGE_HL7V2_MAPS, else beside the executable, else the source tree's.
  static carebridge::Result<std::shared_ptr<const MapSpec>> load_default();
  static std::string default_dir();

  // The structure for a message (MSH-9.3, else the event's default); null when unknown.
  const StructureItem* structure(std::string_view code, std::string_view event, std::string_view declared) const;
  std::string structure_name(std::string_view code, std::string_view event, std::string_view declared) const;
  // The message map for MSH-9 (code^event, else code); null when the type is not mapped.
  const MessageMap* message(std::string_view code, std::string_view event) const;
  const SegmentMap* segment_map(std::string_view name) const;
  const Vocabulary* vocabulary(std::string_view name) const;
  // The FHIR system for a v2 coding system name (table 0396: "LN" → http://loinc.org).
  std::string coding_system(std::string_view v2_name) const;
  // The v2 field the segment maps of `resource_type` fill `element` from ("RXA-5" for an
  // Immunization's vaccineCode): where a required element the message left empty is
  // missing. Empty when no rule fills it, or rules of several fields do.
  std::string field_for(std::string_view resource_type, std::string_view element) const;

 private:
  friend struct SpecReader;
  std::map<std::string, StructureItem, std::less<>> structures_;
  std::map<std::string, std::string, std::less<>> events_;  // "ADT^A04" → "ADT_A01"
  std::map<std::string, MessageMap, std::less<>> messages_;
  std::map<std::string, SegmentMap, std::less<>> segment_maps_;
  std::map<std::string, Vocabulary, std::less<>> vocabularies_;
};

// Why a message's trigger event is not one of its type's, "" when it is or cannot be told: an
// ADT event is A and two digits (table 0003), so ADT^R01 is a result sent under the wrong
// type, which the ADT map would read as a visit.
std::string misfiled_event(std::string_view code, std::string_view event);

}  // namespace carebridge::mappings::hl7v2
