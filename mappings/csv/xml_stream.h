// One XML part of a workbook read as a stream of events with libxml2's xmlTextReader:
// no network, no DTD (a part with one is refused), no entity expansion. No document tree is
// built: a sheet of a million rows costs the memory of one element. Private to mappings/csv.
#pragma once

#include <string>
#include <string_view>

struct _xmlTextReader;  // libxml2's reader, kept out of this header

namespace carebridge::mappings::csv {

class XmlStream {
 public:
  enum class Event { Start, Text, End, Done, Failed };

  explicit XmlStream(std::string_view xml);
  ~XmlStream();
  XmlStream(const XmlStream&) = delete;
  XmlStream& operator=(const XmlStream&) = delete;

  // The next event. An empty element (<c/>) gives Start then End, like any other.
  Event next();
  // The local name (no prefix) of the element of a Start or End.
  std::string_view name() const { return name_; }
  // The characters of a Text event (entities and character references decoded).
  std::string_view text() const { return text_; }
  // An attribute of the element of a Start, by local name, without a namespace or (for
  // r:id) with one; "" when absent.
  std::string attribute(std::string_view local, bool namespaced = false);
  // Why the stream Failed, in a few words with the line ("line 3: ...").
  const std::string& error() const { return error_; }

 private:
  Event fail(std::string message);

  _xmlTextReader* reader_ = nullptr;
  std::string_view name_;
  std::string_view text_;
  bool end_pending_ = false;  // a Start of an empty element was given; its End is next
  std::string error_;
};

}  // namespace carebridge::mappings::csv
