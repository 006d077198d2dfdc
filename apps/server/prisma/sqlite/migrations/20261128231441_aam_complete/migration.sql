-- CreateTable
CREATE TABLE "GatewayCredential" (
    "installationId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "created" INTEGER NOT NULL,
    CONSTRAINT "GatewayCredential_installationId_fkey" FOREIGN KEY ("installationId") REFERENCES "Installation" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "TraceEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "timestamp" REAL NOT NULL,
    "path" TEXT NOT NULL DEFAULT '',
    "method" TEXT NOT NULL DEFAULT '',
    "userId" INTEGER NOT NULL DEFAULT 0,
    "action" TEXT NOT NULL,
    "objectType" TEXT NOT NULL,
    "objectId" INTEGER NOT NULL DEFAULT 0,
    "description" TEXT NOT NULL DEFAULT '',
    "ip" TEXT NOT NULL DEFAULT '',
    "installationId" INTEGER,
    "organizationId" INTEGER
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_User" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "email" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "firstName" TEXT NOT NULL DEFAULT '',
    "lastName" TEXT NOT NULL DEFAULT '',
    "mobile" TEXT NOT NULL DEFAULT '',
    "note" TEXT NOT NULL DEFAULT '',
    "roleId" INTEGER,
    "smsLogin" BOOLEAN NOT NULL DEFAULT false,
    "street" TEXT NOT NULL DEFAULT '',
    "city" TEXT NOT NULL DEFAULT '',
    "country" TEXT NOT NULL DEFAULT '',
    "zip" TEXT NOT NULL DEFAULT '',
    "expireAt" INTEGER NOT NULL DEFAULT 0,
    "created" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,
    "totpSecret" TEXT NOT NULL DEFAULT '',
    "totpPending" TEXT NOT NULL DEFAULT '',
    "recoveryCodes" TEXT NOT NULL DEFAULT '[]',
    "passwordChanged" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "User_roleId_fkey" FOREIGN KEY ("roleId") REFERENCES "Role" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_User" ("city", "country", "created", "email", "expireAt", "firstName", "id", "lastName", "mobile", "note", "passwordHash", "roleId", "smsLogin", "street", "updated", "zip") SELECT "city", "country", "created", "email", "expireAt", "firstName", "id", "lastName", "mobile", "note", "passwordHash", "roleId", "smsLogin", "street", "updated", "zip" FROM "User";
DROP TABLE "User";
ALTER TABLE "new_User" RENAME TO "User";
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "GatewayCredential_username_key" ON "GatewayCredential"("username");

-- CreateIndex
CREATE INDEX "TraceEntry_timestamp_idx" ON "TraceEntry"("timestamp");

-- CreateIndex
CREATE INDEX "TraceEntry_objectType_objectId_idx" ON "TraceEntry"("objectType", "objectId");

-- CreateIndex
CREATE INDEX "TraceEntry_userId_idx" ON "TraceEntry"("userId");
