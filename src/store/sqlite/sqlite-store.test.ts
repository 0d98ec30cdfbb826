// Runs the store contract against the embedded SQLite backend, each run in a fresh temporary data folder.
import { describeAclContract } from "../contract/acl-contract.js";
import { describeCredentialContract } from "../contract/credential-contract.js";
import { describeDomainContract } from "../contract/domain-contract.js";
import { describeImportContract } from "../contract/import-contract.js";
import { describeJmapObjectContract } from "../contract/jmap-object-contract.js";
import { describeLeaseContract } from "../contract/lease-contract.js";
import { describeMailStoreContract } from "../contract/mail-store-contract.js";
import { describeMaildropLockContract } from "../contract/maildrop-lock-contract.js";
import { describeMetadataContract } from "../contract/metadata-contract.js";
import { describeOutboundQueueContract } from "../contract/outbound-queue-contract.js";
import { describeSearchContract } from "../contract/search-contract.js";
import { describeSieveContract } from "../contract/sieve-contract.js";
import { describeSigningKeyContract } from "../contract/signing-key-contract.js";
import { describeSortKeysContract } from "../contract/sort-keys-contract.js";
import { describeUploadContract } from "../contract/upload-contract.js";
import { SQLITE_HARNESS } from "./sqlite-harness.testkit.js";

const harness = SQLITE_HARNESS;

describeMailStoreContract("sqlite", harness);
describeAclContract("sqlite", harness);
describeUploadContract("sqlite", harness);
describeOutboundQueueContract("sqlite", harness);
describeLeaseContract("sqlite", harness);
describeImportContract("sqlite", harness);
describeJmapObjectContract("sqlite", harness);
describeDomainContract("sqlite", harness);
describeSigningKeyContract("sqlite", harness);
describeSearchContract("sqlite", harness);
describeSortKeysContract("sqlite", harness);
describeCredentialContract("sqlite", harness);
describeMetadataContract("sqlite", harness);
describeSieveContract("sqlite", harness);
describeMaildropLockContract("sqlite", harness, { isSharedAcrossHandles: false });
