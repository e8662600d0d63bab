// Narrative XHTML (Narrative.div and other xhtml elements): a <div> root in the XHTML
// namespace with some content, only the elements and attributes FHIR allows (txt-1,
// txt-2), no scripts or event handlers, hyperlinks a reader can follow, and "#x" links
// and image sources that name something in the resource. How elements nest:
// narrative_structure.cpp.
#include <algorithm>
#include <cctype>
#include <memory_resource>

#include "fhir/io/base64.h"
#include "fhir/validation/narrative_structure.h"
#include "fhir/validation/run.h"
#include "fhir/xml/xhtml.h"
#include "fhir/xml/xml_tree.h"

namespace carebridge::fhir::validation {
namespace {

bool has_text(const xml::XmlNode& node) {
  for (const xml::XmlNode* c = node.first; c; c = c->next) {
    if (c->is_text) {
      for (char ch : c->text) {
        if (!std::isspace(static_cast<unsigned char>(ch))) return true;
      }
    } else if (c->local == "img" || has_text(*c)) {
      return true;
    }
  }
  return false;
}

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// A data URL's media type as the reference validator reads it (MimeTypeUtil): a word or "*",
// "/", a subtype of word characters, "-" and "+" (or "*"), then at most one "; name=value".
bool data_url_media_type(std::string_view type) {
  auto token = [&](bool subtype) {
    if (type.starts_with('*')) {
      type.remove_prefix(1);
      return true;
    }
    size_t n = 0;
    while (n < type.size() && (is_word(type[n]) || (subtype && (type[n] == '-' || type[n] == '+')))) ++n;
    type.remove_prefix(n);
    return n > 0;
  };
  if (!token(false) || !type.starts_with('/')) return false;
  type.remove_prefix(1);
  if (!token(true)) return false;
  if (type.empty()) return true;
  if (!type.starts_with(';')) return false;
  auto eq = type.find('=');
  if (eq == std::string_view::npos) return false;
  std::string_view name = type.substr(1, eq - 1), value = type.substr(eq + 1);
  while (!name.empty() && std::isspace(static_cast<unsigned char>(name.front()))) name.remove_prefix(1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.remove_prefix(1);
  auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  return !name.empty() && std::all_of(name.begin(), name.end(), is_word) && !value.empty() &&
         std::none_of(value.begin(), value.end(), blank);
}

struct Checker {
  Run& run;
  const Element& div;
  const Path& path;

  void problem(const std::string& message) { run.report(Severity::Error, "invalid", message, div, path); }

  // An <a href>: "#x" must name something in the resource (or, failing that, the Bundle);
  // an absolute link must not run script (javascript:, vbscript:) and must be a scheme a
  // browser can follow (urn: and cid: are identifiers, not links).
  void check_link(std::string_view href, const std::string& at) {
    if (href.empty()) {
      problem("the hyperlink at '" + at + "' has an empty href");
      return;
    }
    if (href[0] == '#') {
      if (href.size() > 1) check_fragment(href, at, true);
      return;
    }
    auto colon = href.find(':');
    if (colon == std::string_view::npos || href.find('/') < colon || href.find('#') < colon) return;  // relative
    std::string scheme;
    for (char c : href.substr(0, colon)) scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (scheme == "javascript" || scheme == "vbscript") {
      problem("hyperlink scheme '" + scheme + "' in '" + std::string(href) + "' at '" + at + "' runs script");
    } else if (scheme == "urn" || scheme == "cid") {
      problem("hyperlink scheme '" + scheme + "' in '" + std::string(href) + "' at '" + at +
              "' is not a scheme a reader can follow");
    }
  }

  // "#x" in <a href> (anchors count, a miss may resolve in the Bundle; several: warning) or
  // <img src> (element and narrative ids only; several is as wrong as none).
  void check_fragment(std::string_view link, const std::string& at, bool anchor) {
    const Element* root = run.frame.resource ? run.frame.resource : run.frame.container;
    int found = run.link_targets(root, link.substr(1), anchor, anchor);
    std::string what = anchor ? "the hyperlink '" : "the image source '";
    // A broken internal link does not change what the data says: ingest tolerates it.
    if (found == 0) {
      run.report(run.tolerable(), "invalid",
                 what + std::string(link) + "' at '" + at + "' names nothing in the resource (no element or narrative id '" +
                     std::string(link.substr(1)) + "')",
                 div, path);
    } else if (found > 1) {
      run.report(anchor ? Severity::Warning : run.tolerable(), "invalid",
                 what + std::string(link) + "' at '" + at + "' matches " + std::to_string(found) + " targets", div, path);
    }
  }

  // A data: URL is "data:[type][;base64],data": one comma, base64 data when it says so, and a
  // media type the reference validator accepts (see data_url_media_type).
  void check_data_url(std::string_view url, const std::string& at) {
    std::string_view rest = url.substr(5);
    auto comma = rest.find(',');
    if (comma == std::string_view::npos || comma + 1 == rest.size() || rest.find(',', comma + 1) != std::string_view::npos) {
      problem("the data URL at '" + at + "' must have exactly one ',' and data after it");
      return;
    }
    std::string_view head = rest.substr(0, comma), data = rest.substr(comma + 1);
    bool base64 = head.ends_with(";base64");
    if (base64 && !io::is_base64_text(data)) {
      problem("the data URL at '" + at + "' says ;base64 but its data is not base64");
      return;
    }
    if (base64) head.remove_suffix(7);
    while (!head.empty() && head.front() == ' ') head.remove_prefix(1);
    if (!head.empty() && !data_url_media_type(head)) {
      problem("the data URL at '" + at + "' has the media type '" + std::string(head) + "', which is not type/subtype");
    }
  }

  // A link or image URL holds only URL characters (letters, digits and ;?:@&=+$.,/%-_~#[]!'()*|).
  void check_url_text(std::string_view url, const std::string& at) {
    if (url.starts_with("data:")) {
      check_data_url(url, at);
      return;
    }
    static constexpr std::string_view kAllowed = ";?:@&=+$.,/%-_~#[]!'()*|";
    for (char c : url) {
      auto u = static_cast<unsigned char>(c);
      if (std::isalnum(u) || u >= 0x80 || kAllowed.find(c) != std::string_view::npos) continue;
      problem("the URL '" + std::string(url.substr(0, 80)) + "' at '" + at + "' contains the character '" +
              std::string(1, c) + "', which a URL cannot hold unescaped");
      return;
    }
  }

  void attributes(const xml::XmlNode& node, const std::string& at) {
    for (uint32_t i = 0; i < node.attribute_count; ++i) {
      const auto& a = node.attributes[i];
      bool namespaced = a.prefix == "xmlns" || a.prefix == "xml";
      if (namespaced) continue;
      std::string lower;
      for (char c : a.local) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (auto name = xml::narrative_attribute(node.local, lower); name != xml::NarrativeName::Allowed) {
        run.report(name == xml::NarrativeName::Presentational ? run.tolerable() : Severity::Error, "invalid",
                   "the narrative element <" + std::string(node.local) + "> at '" + at + "' has the attribute '" +
                       std::string(a.local) + "', which FHIR narrative does not allow (txt-1)",
                   div, path);
      }
      bool link = lower == "href" && node.local == "a", image = lower == "src" && node.local == "img";
      if ((link || image) && !a.value.empty()) check_url_text(a.value, at);
      if (image && a.value.empty()) problem("the image at '" + at + "' has an empty src");
      if (link) check_link(a.value, at);
      if (image && a.value.size() > 1 && a.value[0] == '#') check_fragment(a.value, at, false);
      // A narrative link or image to "#id" counts as a reference to that contained resource.
      if ((lower == "href" || lower == "src") && a.value.size() > 1 && a.value[0] == '#' && run.frame.referenced) {
        run.frame.referenced->insert(std::string(a.value.substr(1)));
      }
    }
  }

  void element(const xml::XmlNode& node, const std::string& at, bool in_paragraph) {
    if (auto name = xml::narrative_element(node.local); name != xml::NarrativeName::Allowed) {
      run.report(name == xml::NarrativeName::Presentational ? run.tolerable() : Severity::Error, "invalid",
                 "the narrative contains the element <" + std::string(node.local) + "> at '" + at +
                     "', which FHIR narrative does not allow (txt-1)",
                 div, path);
    }
    if (in_paragraph && xml::is_block_element(node.local)) {
      run.report(run.tolerable(), "invalid",
                 "the block element <" + std::string(node.local) + "> at '" + at + "' cannot be inside a paragraph <p>",
                 div, path);
    }
    attributes(node, at);
    for (const xml::XmlNode* c = node.first; c; c = c->next) {
      if (!c->is_text) element(*c, at + "/" + std::string(c->local), in_paragraph || node.local == "p");
    }
  }
};

}  // namespace

void check_narrative(Run& run, const Element& div, const Path& path) {
  if (!div.has_value) return;
  std::pmr::monotonic_buffer_resource arena(4096);
  xml::XmlParse parsed = xml::parse_xml(div.value, arena);
  Checker checker{run, div, path};
  if (!parsed.root) {
    checker.problem("the narrative is not well-formed XHTML: " + parsed.error);
    return;
  }
  const xml::XmlNode& root = *parsed.root;
  if (root.local != "div") {
    checker.problem("the narrative must be a <div> element, not <" + std::string(root.local) + ">");
  }
  if (root.uri != xml::kXhtmlNamespace) {
    checker.problem("the narrative <div> must be in the XHTML namespace (xmlns=\"http://www.w3.org/1999/xhtml\")");
  }
  if (!has_text(root)) {
    // txt-2 is an error-level invariant, but the reference validator's R4 htmlChecks() tests
    // only names, and the specification's own examples carry empty divs: a warning.
    run.report(Severity::Warning, "invalid",
               "the narrative has no text and no image: it should have some non-whitespace content (txt-2)", div, path);
  }
  checker.element(root, "div", false);
  check_narrative_structure(run, div, path, root);
}

}  // namespace carebridge::fhir::validation
