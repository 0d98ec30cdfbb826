// Runs the store contract, unchanged, against the PostgreSQL backend, each run in its own schema of the
// test database (POSTFACH_TEST_POSTGRES_URL, default postgres://root@127.0.0.1:5432/test, then as postgres).
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
import { describeWithPostgres, postgresHarness } from "./postgres-test-harness.js";

await describeWithPostgres(() => {
  describeMailStoreContract("postgres", postgresHarness);
  describeAclContract("postgres", postgresHarness);
  describeUploadContract("postgres", postgresHarness);
  describeOutboundQueueContract("postgres", postgresHarness);
  describeLeaseContract("postgres", postgresHarness);
  describeImportContract("postgres", postgresHarness);
  describeJmapObjectContract("postgres", postgresHarness);
  describeDomainContract("postgres", postgresHarness);
  describeSigningKeyContract("postgres", postgresHarness);
  describeSearchContract("postgres", postgresHarness);
  describeSortKeysContract("postgres", postgresHarness);
  describeCredentialContract("postgres", postgresHarness);
  describeMetadataContract("postgres", postgresHarness);
  describeSieveContract("postgres", postgresHarness);
  describeMaildropLockContract("postgres", postgresHarness, { isSharedAcrossHandles: true });
});
