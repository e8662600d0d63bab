#include "fhir/model/document.h"

#include <algorithm>
#include <cstring>

namespace carebridge::fhir::model {

std::string_view to_string(Severity severity) {
  switch (severity) {
    case Severity::Fatal: return "fatal";
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Information: return "information";
  }
  return "error";
}

Document::Document() : arena_(std::make_unique<std::pmr::monotonic_buffer_resource>(16 * 1024)) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

void Document::take_block() {
  constexpr size_t kLargest = 128;
  spare_ = static_cast<Element*>(arena_->allocate(block_ * sizeof(Element), alignof(Element)));
  spare_end_ = spare_ + block_;
  block_ = std::min(block_ * 2, kLargest);
}

std::string_view Document::copy(std::string_view text) {
  if (text.empty()) return {};
  char* memory = static_cast<char*>(arena_->allocate(text.size(), 1));
  std::memcpy(memory, text.data(), text.size());
  return {memory, text.size()};
}

std::string& Document::keep(std::string text) {
  return *buffers_.emplace_back(std::make_unique<std::string>(std::move(text)));
}

bool ParseResult::has_errors() const {
  for (const auto& i : issues) {
    if (i.severity == Severity::Fatal || i.severity == Severity::Error) return true;
  }
  return !document;
}

std::string ParseResult::first_error() const {
  for (const auto& i : issues) {
    if (i.severity != Severity::Fatal && i.severity != Severity::Error) continue;
    std::string where;
    if (i.position.line) where = "line " + std::to_string(i.position.line) + ", column " + std::to_string(i.position.column);
    if (!i.expression.empty()) where += (where.empty() ? "" : " (") + i.expression + (where.empty() ? "" : ")");
    return where.empty() ? i.message : where + ": " + i.message;
  }
  return document ? std::string() : "unreadable input";
}

std::string without_position(const std::string& message, const Position& at) {
  std::string prefix = "line " + std::to_string(at.line) + ", column " + std::to_string(at.column) + ": ";
  return at.line && message.starts_with(prefix) ? message.substr(prefix.size()) : message;
}

}  // namespace carebridge::fhir::model
