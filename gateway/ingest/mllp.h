// The Minimal Lower Layer Protocol (HL7 v2 over TCP): each message is framed as
// <VT 0x0B> message <FS 0x1C><CR 0x0D>. The framer takes bytes as they arrive and gives
// back whole messages, and says so when a frame grows past the limit (its bytes are
// dropped up to its end, and the sender gets an AR) or bytes arrive outside any frame.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace carebridge::gateway::ingest {

inline constexpr char kStartBlock = 0x0B;
inline constexpr char kEndBlock = 0x1C;
inline constexpr char kCarriageReturn = 0x0D;

class MllpFramer {
 public:
  struct Event {
    enum class Kind { Message, Oversized, Garbage };
    Kind kind = Kind::Message;
    std::string message;  // Message: the text between the start and end blocks
    size_t bytes = 0;     // Oversized: how big the frame was; Garbage: how many bytes
  };

  explicit MllpFramer(size_t max_message_bytes) : max_(max_message_bytes) {}

  // Feeds received bytes; appends what they complete to `events`.
  void feed(std::string_view bytes, std::vector<Event>& events);
  // Whether a frame has started and not ended (a sender that stops mid-frame).
  bool in_frame() const { return state_ != State::Outside; }
  // Bytes outside frames not yet reported (reported when the next frame starts).
  size_t garbage() const { return garbage_; }

  // Frames a message for sending.
  static std::string frame(std::string_view message);

 private:
  enum class State { Outside, Inside, Discarding };
  void end_frame(std::vector<Event>& events);

  size_t max_;
  State state_ = State::Outside;
  std::string buffer_;
  size_t discarded_ = 0;
  size_t garbage_ = 0;
};

}  // namespace carebridge::gateway::ingest
