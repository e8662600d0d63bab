#include "gateway/ingest/mllp.h"

namespace carebridge::gateway::ingest {

void MllpFramer::end_frame(std::vector<Event>& events) {
  if (state_ == State::Inside) events.push_back({Event::Kind::Message, std::move(buffer_), 0});
  else events.push_back({Event::Kind::Oversized, {}, discarded_});
  buffer_.clear();
  discarded_ = 0;
  state_ = State::Outside;
}

// The end block ends a frame; the carriage return after it (and any between frames) is
// skipped as whitespace, so senders that omit it are understood too.
void MllpFramer::feed(std::string_view bytes, std::vector<Event>& events) {
  size_t i = 0;
  while (i < bytes.size()) {
    if (state_ == State::Outside) {
      char c = bytes[i++];
      if (c == kStartBlock) {
        if (garbage_) events.push_back({Event::Kind::Garbage, {}, garbage_});
        garbage_ = 0;
        state_ = State::Inside;
      } else if (c != '\r' && c != '\n') {
        ++garbage_;
      }
      continue;
    }
    size_t end = bytes.find(kEndBlock, i);
    size_t take = (end == std::string_view::npos ? bytes.size() : end) - i;
    if (state_ == State::Inside && buffer_.size() + take > max_) {
      discarded_ = buffer_.size();
      buffer_.clear();
      buffer_.shrink_to_fit();
      state_ = State::Discarding;
    }
    if (state_ == State::Inside) buffer_.append(bytes.substr(i, take));
    else discarded_ += take;
    i += take;
    if (end != std::string_view::npos) {
      ++i;
      end_frame(events);
    }
  }
}

std::string MllpFramer::frame(std::string_view message) {
  std::string out;
  out.reserve(message.size() + 3);
  out += kStartBlock;
  out += message;
  out += kEndBlock;
  out += kCarriageReturn;
  return out;
}

}  // namespace carebridge::gateway::ingest
