// How narrative XHTML elements nest, as the reference validator's XhtmlValidator (its 2025
// structure rules): paragraphs and inline elements hold no block structures, an inline
// element does not hold itself, <br>, <img>, <hr> and <area> are empty, and tables, lists,
// definition lists and image maps hold only their own parts, each inside its own container.
#include "fhir/validation/narrative_structure.h"

#include <initializer_list>
#include <vector>

namespace carebridge::fhir::validation {
namespace {

using Names = std::initializer_list<std::string_view>;

bool one_of(std::string_view name, Names names) {
  for (std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

bool has_content(const xml::XmlNode& text) {
  for (char c : text.text) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return true;
  }
  return false;
}

// The paths of the elements below `node`, at any depth, named one of `names`.
void descendants(const xml::XmlNode& node, const std::string& at, Names names, std::vector<std::string>& out) {
  for (const xml::XmlNode* c = node.first; c; c = c->next) {
    if (c->is_text) continue;
    std::string here = at + "/" + std::string(c->local);
    if (one_of(c->local, names)) out.push_back(here);
    descendants(*c, here, names, out);
  }
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

class Structure {
 public:
  Structure(Run& run, const Element& div, const Path& path) : run_(run), div_(div), path_(path) {}

  void walk(const xml::XmlNode& x, const std::string& at) {
    for (const xml::XmlNode* c = x.first; c; c = c->next) {
      if (c->is_text) continue;
      std::string here = at + "/" + std::string(c->local);
      rules(*c, x, here);
      if (c->first) walk(*c, here);
    }
  }

 private:
  void rules(const xml::XmlNode& c, const xml::XmlNode& parent, const std::string& at) {
    std::string_view n = c.local;
    if (one_of(n, {"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "address", "span"})) no_blocks(c, at);
    if (one_of(n, {"br", "img", "hr", "area"})) no_children(c, at);
    if (one_of(n, {"a", "b", "em", "i", "strong", "small", "big", "sub", "sup", "code", "tt", "dfn", "q", "var", "abbr",
                   "acronym", "cite", "bdo", "kbd", "samp"})) {
      no_blocks(c, at);
      no_recursion(c, at);
    }
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
    if (n == "caption") {
      no_blocks(c, at);
      inside(c, parent, at, {"table"});
    }
    if (n == "colgroup") inside(c, parent, at, {"table"});
    if (n == "col") inside(c, parent, at, {"colgroup", "table"});
    if (n == "th" || n == "td") inside(c, parent, at, {"tr", "thead", "tfoot"});
    if (n == "li") inside(c, parent, at, {"ul", "ol"});
    if (n == "dl") only_children(c, at, {"dd", "dt"});
    if (n == "dd" || n == "dt") {
      no_blocks(c, at);
      inside(c, parent, at, {"dl"});
    }
    if (n == "map") only_children(c, at, {"area"});
  }

  void no_blocks(const xml::XmlNode& c, const std::string& at) {
    std::vector<std::string> found;
    descendants(c, at, {"div", "pre", "table", "ul", "ol"}, found);
    if (!found.empty()) report("the narrative has block structures inside the text element <" + std::string(c.local) + "> at '" + at + "': " + joined(found));
  }

  void no_recursion(const xml::XmlNode& c, const std::string& at) {
    std::vector<std::string> found;
    descendants(c, at, {c.local}, found);
    if (!found.empty()) report("the narrative element <" + std::string(c.local) + "> at '" + at + "' contains itself: " + joined(found));
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
    for (const xml::XmlNode* k = c.first; k; k = k->next) {
      if (k->is_text ? has_content(*k) : !one_of(k->local, names)) found.push_back(k->is_text ? "@text" : std::string(k->local));
    }
    if (!found.empty()) report("the narrative element <" + std::string(c.local) + "> at '" + at + "' cannot hold " + joined(found));
  }

  void report(const std::string& text) { run_.report(run_.tolerable(), "structure", text, div_, path_); }

  Run& run_;
  const Element& div_;
  const Path& path_;
};

}  // namespace

void check_narrative_structure(Run& run, const Element& div, const Path& path, const xml::XmlNode& root) {
  Structure(run, div, path).walk(root, std::string(root.local));
}

}  // namespace carebridge::fhir::validation
