#pragma once
// Task<T>: the engine's coroutine type (Asio's awaitable). Strategies, converters and
// scorers return it, so a piece that waits for an LLM suspends instead of blocking a thread.
// This header is light (Asio's awaitable alone); engine/async.hpp has what runs them.

#include <boost/asio/awaitable.hpp>

namespace redcell {

template <class T>
using Task = boost::asio::awaitable<T>;

}  // namespace redcell
