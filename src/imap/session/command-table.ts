// Every IMAP command as data: the states it may run in, whether its completion may announce expunges
// (RFC 9051 §7.5.1: not FETCH, STORE or SEARCH by sequence number) and its handler. Typed so that a
// command without a handler does not compile.
import { deleteAcl, getAcl, listRights, myRights, setAcl } from "../commands/acl.js";
import { append } from "../commands/append.js";
import { authenticate } from "../commands/authenticate.js";
import { cancelUpdate } from "../commands/cancelupdate.js";
import { capability } from "../commands/capability.js";
import { close, unselect } from "../commands/close.js";
import { compress } from "../commands/compress.js";
import { copy } from "../commands/copy.js";
import { create } from "../commands/create.js";
import { deleteMailbox } from "../commands/delete.js";
import { enable } from "../commands/enable.js";
import { esearch } from "../commands/esearch.js";
import { expunge } from "../commands/expunge.js";
import { fetch } from "../commands/fetch.js";
import { genUrlAuth } from "../commands/genurlauth.js";
import { getMetadata } from "../commands/getmetadata.js";
import { getQuota } from "../commands/getquota.js";
import { getQuotaRoot } from "../commands/getquotaroot.js";
import { id } from "../commands/id.js";
import { idle } from "../commands/idle.js";
import { list, lsub } from "../commands/list.js";
import { login } from "../commands/login.js";
import { logout } from "../commands/logout.js";
import { namespace } from "../commands/namespace.js";
import { noop } from "../commands/noop.js";
import { notify } from "../commands/notify.js";
import { rename } from "../commands/rename.js";
import { replace } from "../commands/replace.js";
import { resetKey } from "../commands/resetkey.js";
import { search } from "../commands/search.js";
import { select } from "../commands/select.js";
import { setMetadata } from "../commands/setmetadata.js";
import { setQuota } from "../commands/setquota.js";
import { sort } from "../commands/sort.js";
import { starttls } from "../commands/starttls.js";
import { status } from "../commands/status.js";
import { store } from "../commands/store.js";
import { subscribe } from "../commands/subscribe.js";
import { thread } from "../commands/thread.js";
import { unauthenticate } from "../commands/unauthenticate.js";
import { urlFetch } from "../commands/urlfetch.js";
import {
  ANY_STATE,
  AUTHENTICATED,
  always,
  type CommandTable,
  NOT_AUTHENTICATED,
  SELECTED,
} from "./command-context.js";

const unlessBySequence = (command: { readonly uid: boolean }): boolean => command.uid;

export const COMMANDS: CommandTable = {
  capability: { states: ANY_STATE, canAnnounceExpunge: always, run: capability },
  noop: { states: ANY_STATE, canAnnounceExpunge: always, run: noop },
  logout: { states: ANY_STATE, canAnnounceExpunge: always, run: logout },
  id: { states: ANY_STATE, canAnnounceExpunge: always, run: id },
  starttls: { states: NOT_AUTHENTICATED, canAnnounceExpunge: always, run: starttls },
  authenticate: { states: NOT_AUTHENTICATED, canAnnounceExpunge: always, run: authenticate },
  login: { states: NOT_AUTHENTICATED, canAnnounceExpunge: always, run: login },
  enable: { states: AUTHENTICATED, canAnnounceExpunge: always, run: enable },
  select: { states: AUTHENTICATED, canAnnounceExpunge: always, run: select },
  examine: { states: AUTHENTICATED, canAnnounceExpunge: always, run: select },
  create: { states: AUTHENTICATED, canAnnounceExpunge: always, run: create },
  delete: { states: AUTHENTICATED, canAnnounceExpunge: always, run: deleteMailbox },
  rename: { states: AUTHENTICATED, canAnnounceExpunge: always, run: rename },
  subscribe: { states: AUTHENTICATED, canAnnounceExpunge: always, run: subscribe },
  unsubscribe: { states: AUTHENTICATED, canAnnounceExpunge: always, run: subscribe },
  list: { states: AUTHENTICATED, canAnnounceExpunge: always, run: list },
  lsub: { states: AUTHENTICATED, canAnnounceExpunge: always, run: lsub },
  namespace: { states: AUTHENTICATED, canAnnounceExpunge: always, run: namespace },
  status: { states: AUTHENTICATED, canAnnounceExpunge: always, run: status },
  append: { states: AUTHENTICATED, canAnnounceExpunge: always, run: append },
  idle: { states: AUTHENTICATED, canAnnounceExpunge: always, run: idle },
  notify: { states: AUTHENTICATED, canAnnounceExpunge: always, run: notify },
  unauthenticate: { states: AUTHENTICATED, canAnnounceExpunge: always, run: unauthenticate },
  compress: { states: AUTHENTICATED, canAnnounceExpunge: always, run: compress },
  getquota: { states: AUTHENTICATED, canAnnounceExpunge: always, run: getQuota },
  getquotaroot: { states: AUTHENTICATED, canAnnounceExpunge: always, run: getQuotaRoot },
  setquota: { states: AUTHENTICATED, canAnnounceExpunge: always, run: setQuota },
  getmetadata: { states: AUTHENTICATED, canAnnounceExpunge: always, run: getMetadata },
  setmetadata: { states: AUTHENTICATED, canAnnounceExpunge: always, run: setMetadata },
  setacl: { states: AUTHENTICATED, canAnnounceExpunge: always, run: setAcl },
  deleteacl: { states: AUTHENTICATED, canAnnounceExpunge: always, run: deleteAcl },
  getacl: { states: AUTHENTICATED, canAnnounceExpunge: always, run: getAcl },
  listrights: { states: AUTHENTICATED, canAnnounceExpunge: always, run: listRights },
  myrights: { states: AUTHENTICATED, canAnnounceExpunge: always, run: myRights },
  genurlauth: { states: AUTHENTICATED, canAnnounceExpunge: always, run: genUrlAuth },
  urlfetch: { states: AUTHENTICATED, canAnnounceExpunge: always, run: urlFetch },
  resetkey: { states: AUTHENTICATED, canAnnounceExpunge: always, run: resetKey },
  check: { states: SELECTED, canAnnounceExpunge: always, run: noop },
  close: { states: SELECTED, canAnnounceExpunge: always, run: close },
  unselect: { states: SELECTED, canAnnounceExpunge: always, run: unselect },
  expunge: { states: SELECTED, canAnnounceExpunge: always, run: expunge },
  search: { states: SELECTED, canAnnounceExpunge: unlessBySequence, run: search },
  sort: { states: SELECTED, canAnnounceExpunge: unlessBySequence, run: sort },
  esearch: { states: AUTHENTICATED, canAnnounceExpunge: always, run: esearch },
  cancelupdate: { states: SELECTED, canAnnounceExpunge: always, run: cancelUpdate },
  thread: { states: SELECTED, canAnnounceExpunge: unlessBySequence, run: thread },
  fetch: { states: SELECTED, canAnnounceExpunge: unlessBySequence, run: fetch },
  store: { states: SELECTED, canAnnounceExpunge: unlessBySequence, run: store },
  copy: { states: SELECTED, canAnnounceExpunge: always, run: copy },
  move: { states: SELECTED, canAnnounceExpunge: always, run: copy },
  replace: { states: SELECTED, canAnnounceExpunge: always, run: replace },
};
