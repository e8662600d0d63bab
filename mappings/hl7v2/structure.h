// Message structures: which segments a message type holds and how they nest in groups,
// written in the standard's abstract message syntax ("MSH [PID [PD1]] {[ORC] OBR {[OBX]}}":
// [ ] optional, { } repeating; a bracket around several items is a group). A message's
// segments are placed into group instances as the standard's parsers do: each segment goes
// to the next place in the structure where it fits, opening a new group instance or a new
// repetition; a segment that fits nowhere (a Z-segment, a sender's extra) stays in the
// group where it appeared.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"
#include "mappings/hl7v2/er7.h"

namespace carebridge::mappings::hl7v2 {

// One item of a structure: a segment or a group of items.
struct StructureItem {
  std::string segment;  // empty for a group
  bool optional = false;
  bool repeating = false;
  std::vector<StructureItem> items;  // a group's items
  std::vector<std::string> first;    // segments that can begin this item
};

// Parses the abstract syntax; fails with the offset and what is wrong.
carebridge::Result<StructureItem> parse_structure(std::string_view syntax);

// Where each of a message's segments sits: its group instance. Group instance 0 is the
// message itself; `parent[g]` is the enclosing instance (0 for the message's own children).
struct Grouping {
  std::vector<size_t> segment_group;  // per segment of the message, its group instance
  std::vector<size_t> parent;         // per group instance
  std::vector<const StructureItem*> group_of;  // per group instance: the group it is one of
  std::vector<bool> expected;         // per segment: whether the structure has a place for it

  // Whether group instance `inner` is `outer` or inside it.
  bool within(size_t inner, size_t outer) const;
};

// Places the message's segments into the structure's groups.
Grouping group_segments(const Message& message, const StructureItem& structure);

}  // namespace carebridge::mappings::hl7v2
