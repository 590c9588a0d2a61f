// Statuses of appendBatch (a subset of RocketMQ's PutMessageStatus, exported as constants.putStatus)
// and of getMessages (RocketMQ's GetMessageStatus, exported as constants.getStatus).
#pragma once

namespace cometmq {

#define COMETMQ_PUT_STATUSES(X) \
  X(PUT_OK)                     \
  X(CREATE_MAPPED_FILE_FAILED)  \
  X(MESSAGE_ILLEGAL)            \
  X(PROPERTIES_SIZE_EXCEEDED)   \
  X(SERVICE_NOT_AVAILABLE)      \
  X(UNKNOWN_ERROR)

enum class PutStatus : int {
#define COMETMQ_ENUM_ITEM(name) name,
  COMETMQ_PUT_STATUSES(COMETMQ_ENUM_ITEM)
#undef COMETMQ_ENUM_ITEM
};

#define COMETMQ_GET_STATUSES(X) \
  X(FOUND)                      \
  X(NO_MATCHED_MESSAGE)         \
  X(MESSAGE_WAS_REMOVING)       \
  X(OFFSET_FOUND_NULL)          \
  X(OFFSET_OVERFLOW_BADLY)      \
  X(OFFSET_OVERFLOW_ONE)        \
  X(OFFSET_TOO_SMALL)           \
  X(NO_MATCHED_LOGIC_QUEUE)     \
  X(NO_MESSAGE_IN_QUEUE)

enum class GetStatus : int {
#define COMETMQ_ENUM_ITEM(name) name,
  COMETMQ_GET_STATUSES(COMETMQ_ENUM_ITEM)
#undef COMETMQ_ENUM_ITEM
};

}  // namespace cometmq
