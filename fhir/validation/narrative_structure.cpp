// How narrative XHTML elements nest, as the reference validator's XhtmlValidator (its 2025
// structure rules): paragraphs and inline elements hold no block structures, an inline
// element does not hold itself, <br>, <img>, <hr> and <area> are empty, and tables, lists,
// definition lists and image maps hold only their own parts, each inside its own container.
#include "fhir/validation/narrative_structure.h"

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace carebridge::fhir::validation {
namespace {

using Names = std::initializer_list<std::string_view>;

template <typename List>
bool one_of(std::string_view name, const List& names) {
  for (std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}
bool one_of(std::string_view name, Names names) { return one_of<Names>(name, names); }

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

bool has_content(const xml::XmlNode& text) {
  for (char c : text.text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return true;
  }
  return false;
}

constexpr std::string_view kTextElements[] = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "address", "span", "caption", "dd", "dt",
                                  "a", "b", "em", "i", "strong", "small", "big", "sub", "sup", "code", "tt", "dfn", "q",
                                  "var", "abbr", "acronym", "cite", "bdo", "kbd", "samp"};
constexpr std::string_view kInline[] = {"a", "b", "em", "i", "strong", "small", "big", "sub", "sup", "code", "tt", "dfn", "q", "var",
                           "abbr", "acronym", "cite", "bdo", "kbd", "samp"};
constexpr std::string_view kBlocks[] = {"div", "pre", "table", "ul", "ol"};

// One walk over the narrative, carrying what its ancestors forbid: the nearest text element
// (its block descendants are said once, with it) and the inline elements open around each
// element. Each problem is said once, at most kMaxReports of them a narrative, and a list in a
// message names at most kMaxListed paths: a hostile narrative of nested elements cannot make
// the findings grow with its depth.
class Structure {
 public:
  Structure(Run& run, const Element& div, const Path& path) : run_(run), div_(div), path_(path) {}
  ~Structure() {
    if (suppressed_) run_.report(run_.tolerable(), "structure", "and " + std::to_string(suppressed_) +
                                     " more problems with how the narrative's elements nest", div_, path_);
  }

  void walk(const xml::XmlNode& x, const std::string& at, int depth = 0) {
    for (const xml::XmlNode* c = x.first; c; c = c->next) {
      if (c->is_text) continue;
      std::string here = at + "/" + std::string(c->local);
      rules(*c, x, here);
      if (one_of(c->local, kBlocks) && text_) text_->add(here);
      if (one_of(c->local, kInline)) {  // inside another of its kind: said of the nearest
        auto same = std::find_if(open_inline_.rbegin(), open_inline_.rend(), [&](const auto& open) { return open.first == c->local; });
        if (same != open_inline_.rend())
          report("the narrative element <" + std::string(c->local) + "> at '" + same->second + "' contains itself: " + here);
      }
      if (c->first && depth < kMaxDepth) descend(*c, here, depth);
    }
  }

 private:
  static constexpr size_t kMaxReports = 20, kMaxListed = 5;
  static constexpr int kMaxDepth = 200;

  // The block structures found inside one text element.
  struct Blocks {
    std::string element, at;
    std::vector<std::string> paths;
    size_t more = 0;
    void add(const std::string& path) { paths.size() < kMaxListed ? paths.push_back(path) : void(++more); }
  };

  void descend(const xml::XmlNode& c, const std::string& here, int depth) {
    std::optional<Blocks> held;
    Blocks* outer = text_;
    if (one_of(c.local, kTextElements)) text_ = &held.emplace(Blocks{std::string(c.local), here, {}, 0});
    bool opens = one_of(c.local, kInline);
    if (opens) open_inline_.emplace_back(c.local, here);
    walk(c, here, depth + 1);
    if (opens) open_inline_.pop_back();
    text_ = outer;
    if (held && !held->paths.empty())
      report("the narrative has block structures inside the text element <" + held->element + "> at '" + held->at + "': " +
             joined(held->paths) + (held->more ? " and " + std::to_string(held->more) + " more" : ""));
  }

  void rules(const xml::XmlNode& c, const xml::XmlNode& parent, const std::string& at) {
    std::string_view n = c.local;
    if (one_of(n, {"br", "img", "hr", "area"})) no_children(c, at);
    if (n == "table") only_children(c, at, {"tbody", "tr", "caption", "thead", "tfoot", "col", "colgroup"});
    if (n == "tr") {
      inside(c, parent, at, {"table", "thead", "tfoot", "tbody"});
      only_children(c, at, {"td", "th"});
    }
    if (one_of(n, {"tbody", "thead", "tfoot"})) {
      inside(c, parent, at, {"table"});
      only_children(c, at, {"tr"});
    }
    if (n == "ul" || n == "ol") only_children(c, at, {"li"});
    if (n == "caption") inside(c, parent, at, {"table"});
    if (n == "colgroup") inside(c, parent, at, {"table"});
    // Java wants <col> in <table> alone; HTML puts it in <colgroup> too, as tables are written.
    if (n == "col") inside(c, parent, at, {"colgroup", "table"});
    if (n == "th" || n == "td") inside(c, parent, at, {"tr", "thead", "tfoot"});
    if (n == "li") inside(c, parent, at, {"ul", "ol"});
    if (n == "dl") only_children(c, at, {"dd", "dt"});
    if (n == "dd" || n == "dt") inside(c, parent, at, {"dl"});
    if (n == "map") only_children(c, at, {"area"});
  }

  void no_children(const xml::XmlNode& c, const std::string& at) {
    if (c.first) report("the narrative element <" + std::string(c.local) + "> at '" + at + "' cannot have children");
  }

  void inside(const xml::XmlNode& c, const xml::XmlNode& parent, const std::string& at, Names names) {
    if (one_of(parent.local, names)) return;
    std::string allowed;
    for (std::string_view n : names) allowed += (allowed.empty() ? "" : "|") + std::string(n);
    report("the narrative element <" + std::string(c.local) + "> at '" + at + "' must be in a " + allowed + ", not a " +
           std::string(parent.local));
  }

  void only_children(const xml::XmlNode& c, const std::string& at, Names names) {
    std::vector<std::string> found;
    size_t more = 0;
    for (const xml::XmlNode* k = c.first; k; k = k->next) {
      if (!(k->is_text ? has_content(*k) : !one_of(k->local, names))) continue;
      found.size() < kMaxListed ? found.push_back(k->is_text ? "@text" : std::string(k->local)) : void(++more);
    }
    if (!found.empty())
      report("the narrative element <" + std::string(c.local) + "> at '" + at + "' cannot hold " + joined(found) +
             (more ? " and " + std::to_string(more) + " more" : ""));
  }

  void report(const std::string& text) {
    if (reported_ == kMaxReports) {
      ++suppressed_;
      return;
    }
    ++reported_;
    run_.report(run_.tolerable(), "structure", text, div_, path_);
  }

  Run& run_;
  const Element& div_;
  const Path& path_;
  Blocks* text_ = nullptr;  // the nearest text element around the walk, while it is inside one
  std::vector<std::pair<std::string_view, std::string>> open_inline_;  // name and path of each open inline element
  size_t reported_ = 0, suppressed_ = 0;
};

}  // namespace

void check_narrative_structure(Run& run, const Element& div, const Path& path, const xml::XmlNode& root) {
  Structure structure(run, div, path);
  structure.walk(root, std::string(root.local));
}

}  // namespace carebridge::fhir::validation
