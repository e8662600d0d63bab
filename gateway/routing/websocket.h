// The websocket channel of the Subscriptions Backport IG: a client asks
// Subscription/ID/$get-ws-binding-token for a short-lived token and the websocket URL,
// connects, sends "bind-with-token: TOKEN", and receives the subscription's notification
// Bundles as text messages while it stays connected. A token binds only the subscription
// it was issued for, to a caller who may read it, for 5 minutes. The hub listens on its own
// loopback port (config "websocket"), apart from the HTTP server.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace carebridge::gateway::routing {

class WebsocketHub {
 public:
  explicit WebsocketHub(std::string host = "127.0.0.1", uint16_t port = 0);
  ~WebsocketHub();
  WebsocketHub(const WebsocketHub&) = delete;
  WebsocketHub& operator=(const WebsocketHub&) = delete;

  // Binds and serves on one thread; returns the port.
  uint16_t start();
  void stop();
  // "ws://host:port/ws".
  std::string url() const;
  // A token binding `subscription` (valid for 5 minutes).
  std::string issue_token(const std::string& subscription);
  // Sends a notification to every connection bound to `subscription`; false when none is.
  bool send(const std::string& subscription, const std::string& text);
  // Told when a connection binds a subscription (delivery looks again at once).
  void on_bind(std::function<void()> bound);
  // The handshake notification of a subscription, sent to a connection as soon as it binds
  // it and before any event (the IG: "Server sends one or more handshake messages"); "" sends none.
  void set_handshake(std::function<std::string(const std::string& subscription)> handshake);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace carebridge::gateway::routing
