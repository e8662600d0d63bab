// A parsed FHIR resource: the element tree and the memory it lives in (an arena
// plus the source text the values point into), and the issues met on the way.
#pragma once

#include <memory>
#include <memory_resource>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/element.h"

namespace carebridge::fhir::model {

enum class Severity : uint8_t { Fatal, Error, Warning, Information };

// One problem found in a resource, located both as a FHIRPath and (XML) a position.
struct Issue {
  Severity severity = Severity::Error;
  std::string code;        // FHIR issue-type code: structure, invalid, value, required, ...
  std::string message;     // plain words
  std::string expression;  // "Patient.name[0].given[1]"; empty when not in the tree
  Position position;
};

std::string_view to_string(Severity severity);

class Document {
 public:
  Document();
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  Element* root() const { return root_; }
  void set_root(Element* root) { root_ = root; }

  // Elements are cut from blocks of the arena (one allocate call per block, not per
  // element); the blocks grow with the document, so a small one wastes little, and every
  // reader that adds to the document continues the same block.
  Element* new_element() {
    if (spare_ == spare_end_) take_block();
    return new (spare_++) Element();  // trivially destructible: the arena frees it
  }
  // The arena everything of this document is allocated from.
  std::pmr::memory_resource& arena() { return *arena_; }
  // Copies text into the arena; the view lives as long as the document.
  std::string_view copy(std::string_view text);
  // Keeps a buffer alive for the document's lifetime (values may point into it).
  std::string& keep(std::string text);

 private:
  std::unique_ptr<std::pmr::monotonic_buffer_resource> arena_;
  std::vector<std::unique_ptr<std::string>> buffers_;
  Element* root_ = nullptr;
  Element* spare_ = nullptr;  // the unused rest of the current block of elements
  Element* spare_end_ = nullptr;
  size_t block_ = 8;          // elements in the next block

  void take_block();
};

// What a parser returns: a document (null when the input could not be read at all)
// and every issue found. Parsing never throws for bad input.
struct ParseResult {
  std::unique_ptr<Document> document;
  std::vector<Issue> issues;
  // What is harmless to read but FHIR validation refuses, as the reference validator's
  // parser does (XML: xsi:schemaLocation, processing instructions, an encoding other
  // than UTF-8): errors a validator reports with `issues`; conversion and storage may
  // ignore them, so has_errors() does not count them.
  std::vector<Issue> validation_issues;

  bool has_errors() const;
  // The first error or fatal issue as one line: "line 3, column 7: ..." or "Patient.x: ...".
  std::string first_error() const;
};

// `message` without the "line L, column C: " it begins with when that is `at`: a parser's
// message, for an Issue that carries its position itself (written once, not twice).
std::string without_position(const std::string& message, const Position& at);

}  // namespace carebridge::fhir::model
