// @ts-check
// The one definition of the messages between the kernel and the page's log, detail
// and live views (anywidget custom messages). The JavaScript modules use these types;
// the kernel reads this file's @typedef and @property lines (wsecho_widget/ui/frontend.py)
// and checks what the page sends against them, and the tests check what the kernel sends.
// Types understood on both sides: number, string, boolean, null, "literal", T[],
// [A, B] tuples, A|B unions and the names of the typedefs below.

/**
 * One log entry. A medium's bytes come once, as the binary buffer numbered `buffer`.
 * @typedef {object} Item
 * @property {number} seq the message's sequence number
 * @property {string} text its line(s), shown as text, never parsed as HTML
 * @property {string} [media] the medium's type ("image/png") when its bytes come along
 * @property {number} [buffer] the index of its bytes among the message's buffers
 * @property {[number, number]} [size] a picture's width and height, read from its header
 * @property {boolean} [animated] an animated picture (shown as <img>, not a canvas)
 * @property {boolean} [keep] the page keeps the medium it already shows for this seq
 */

/**
 * Kernel -> log: what changed since the last render.
 * @typedef {object} UpdateMessage
 * @property {"update"} kind
 * @property {[number, string][]} [drop] media that left: new text for their entries
 * @property {Item[]} [append] new entries at the end
 * @property {number} [trim] how many of the oldest entries leave
 */

/**
 * Kernel -> log: everything a view shows (token: the view that asked, or null: all).
 * @typedef {object} ResetMessage
 * @property {"reset"} kind
 * @property {string|null} token
 * @property {Item[]} entries
 */

/**
 * Kernel -> log: the selected entry (null: none), for every view to highlight.
 * @typedef {object} SelectedMessage
 * @property {"selected"} kind
 * @property {number|null} seq
 */

/**
 * Log -> kernel: a new view asks for a snapshot.
 * @typedef {object} SnapshotRequest
 * @property {"snapshot"} kind
 * @property {string} token
 */

/**
 * Log -> kernel: the person selected an entry (null: cleared the selection).
 * @typedef {object} SelectRequest
 * @property {"select"} kind
 * @property {number|null} seq
 */

/**
 * Kernel -> detail view: the selected message whole (its first `shown` bytes come
 * as buffer 0), or nothing selected when seq is null.
 * @typedef {object} DetailMessage
 * @property {"detail"} kind
 * @property {number|null} seq
 * @property {string} [direction] "sent" or "received"
 * @property {string} [time] wall-clock time to the millisecond
 * @property {number} [size] the message's size in bytes
 * @property {string} [type] "text" or "binary"
 * @property {string} [label] what it is ("JSON", "png picture", "binary")
 * @property {string} [origin] the client (server panel) or event (Socket.IO)
 * @property {number} [shown] how many of its bytes the page has
 * @property {string} [media] the medium's type when the page can show it
 * @property {[number, number]} [dimensions] a picture's width and height
 * @property {string} [decoded] the decoded view (MessagePack, CBOR, protobuf, a decoder)
 * @property {string} [decoder] the decoder's name
 * @property {boolean} [resend] whether Resend can send it
 * @property {boolean} [edit] whether Edit can put it in the composer
 */

/**
 * Kernel -> detail view: more of the selected message's bytes (buffer 0), from `offset`.
 * @typedef {object} MoreMessage
 * @property {"more"} kind
 * @property {number} seq
 * @property {number} offset
 */

/**
 * Detail view -> kernel: a new view asks for the selection ("detail?"), more bytes from
 * `offset` ("more?"; `all`: to the end, for Copy and Save), Resend or Edit of `seq`, or
 * the selection cleared ("select" with seq null).
 * @typedef {object} DetailRequest
 * @property {"detail?"|"more?"|"resend"|"edit"|"select"} kind
 * @property {number|null} [seq]
 * @property {number} [offset]
 * @property {boolean} [all]
 */

/**
 * Composer keys -> kernel: Up or Down in the one-line input (`step` 1: an older send,
 * -1: a newer one), or Ctrl/Cmd+Enter in the multi-line one with its `text`.
 * @typedef {object} ComposerRequest
 * @property {"recall"|"submit"} kind
 * @property {number} [step]
 * @property {string} [text]
 */

/**
 * Kernel -> live view: the picture to show (its bytes as buffer 0), or none.
 * @typedef {object} FrameMessage
 * @property {"frame"|"clear"} kind
 * @property {string} [type] the picture's media type
 */

/**
 * Live view -> kernel: a new view asks for the frame shown now.
 * @typedef {object} FrameRequest
 * @property {"frame?"} kind
 */

export {};
