#include "mappings/hl7v2/structure.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace carebridge::mappings::hl7v2 {
namespace {

using carebridge::Result;

struct SyntaxReader {
  std::string_view text;
  size_t at = 0;
  std::string error;

  void skip_space() {
    while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
  }

  // Items up to `close` (0: the end of the text).
  std::vector<StructureItem> sequence(char close) {
    std::vector<StructureItem> items;
    while (error.empty()) {
      skip_space();
      if (at == text.size()) {
        if (close) error = "at " + std::to_string(at) + ": '" + std::string(1, close) + "' missing";
        return items;
      }
      char c = text[at];
      if (c == close) {
        ++at;
        return items;
      }
      if (c == '[' || c == '{') {
        ++at;
        items.push_back(bracket(c == '[' ? ']' : '}'));
      } else if (std::isalnum(static_cast<unsigned char>(c))) {
        size_t start = at;
        while (at < text.size() && std::isalnum(static_cast<unsigned char>(text[at]))) ++at;
        StructureItem item;
        item.segment = std::string(text.substr(start, at - start));
        if (item.segment.size() != 3) error = "at " + std::to_string(start) + ": '" + item.segment + "' is not a segment name";
        items.push_back(std::move(item));
      } else {
        error = "at " + std::to_string(at) + ": unexpected '" + std::string(1, c) + "'";
      }
    }
    return items;
  }

  StructureItem bracket(char close) {
    std::vector<StructureItem> inner = sequence(close);
    StructureItem item;
    if (inner.size() == 1) item = std::move(inner.front());
    else item.items = std::move(inner);
    if (close == ']') item.optional = true;
    else item.repeating = true;
    return item;
  }
};

void compute_first(StructureItem& item) {
  item.first.clear();
  if (!item.segment.empty()) {
    item.first.push_back(item.segment);
    return;
  }
  bool open = true;
  for (StructureItem& child : item.items) {
    compute_first(child);
    if (open) item.first.insert(item.first.end(), child.first.begin(), child.first.end());
    if (!child.optional) open = false;
  }
}

bool begins(const StructureItem& item, std::string_view segment) {
  return std::find(item.first.begin(), item.first.end(), segment) != item.first.end();
}

// A group instance being filled: its structure, its id and the last item used in it.
struct Frame {
  const StructureItem* group;
  size_t instance;
  long last = -1;
};

struct Placer {
  Grouping& grouping;
  std::vector<Frame> stack;
  std::unordered_map<std::string_view, size_t> last_at;  // each segment name's last position in the message
  size_t at = 0;                                          // the position of the segment being placed

  // Whether a segment that can begin `item` is still to come.
  bool sent_later(const StructureItem& item) const {
    for (const std::string& name : item.first)
      if (auto last = last_at.find(name); last != last_at.end() && last->second > at) return true;
    return false;
  }

  size_t open_instance(size_t parent, const StructureItem& group) {
    grouping.parent.push_back(parent);
    grouping.group_of.push_back(&group);
    return grouping.parent.size() - 1;
  }

  // Places `segment` in the frame at `depth` or in a new group inside it; the stack is
  // cut back to that frame first. Returns the group instance, or npos.
  size_t place_in(size_t depth, std::string_view segment) {
    Frame& frame = stack[depth];
    const auto& items = frame.group->items;
    for (size_t i = static_cast<size_t>(std::max(frame.last, 0L)); i < items.size(); ++i) {
      const StructureItem& item = items[i];
      bool used = static_cast<long>(i) <= frame.last;
      if (used && !item.repeating) continue;
      if (!begins(item, segment)) {
        // A required item the message still sends is not passed over: a note between an ORC
        // and its OBR (where the structure has none) stays with that order, instead of taking
        // the note's place after the OBR and leaving the OBR to an order of its own. One the
        // message lacks is passed over (an ADT without its PV1 still places its AL1s).
        if (!used && !item.optional && sent_later(item)) return std::string_view::npos;
        continue;
      }
      stack.resize(depth + 1);
      stack[depth].last = static_cast<long>(i);
      if (!item.segment.empty()) return stack[depth].instance;
      stack.push_back({&item, open_instance(stack[depth].instance, item)});
      return place_in(depth + 1, segment);
    }
    return std::string_view::npos;
  }

  size_t place(std::string_view segment) {
    for (size_t depth = stack.size(); depth-- > 0;) {
      size_t instance = place_in(depth, segment);
      if (instance != std::string_view::npos) return instance;
    }
    return std::string_view::npos;
  }
};

}  // namespace

Result<StructureItem> parse_structure(std::string_view syntax) {
  SyntaxReader reader{syntax, 0, {}};
  StructureItem root;
  root.items = reader.sequence(0);
  if (!reader.error.empty()) return Result<StructureItem>::failure("invalid", "message structure " + reader.error);
  compute_first(root);
  return root;
}

bool Grouping::within(size_t inner, size_t outer) const {
  while (true) {
    if (inner == outer) return true;
    if (inner == 0 || inner >= parent.size()) return false;
    inner = parent[inner];
  }
}

Grouping group_segments(const Message& message, const StructureItem& structure) {
  Grouping grouping;
  grouping.parent.push_back(0);
  grouping.group_of.push_back(&structure);
  Placer placer{grouping, {Frame{&structure, 0, -1}}, {}, 0};
  const auto& segments = message.segments();
  for (size_t i = 0; i < segments.size(); ++i) placer.last_at[segments[i].name] = i;
  for (const Segment& segment : segments) {
    size_t instance = placer.place(segment.name);
    ++placer.at;
    bool expected = instance != std::string_view::npos;
    grouping.expected.push_back(expected);
    grouping.segment_group.push_back(expected ? instance : placer.stack.back().instance);
  }
  return grouping;
}

}  // namespace carebridge::mappings::hl7v2
