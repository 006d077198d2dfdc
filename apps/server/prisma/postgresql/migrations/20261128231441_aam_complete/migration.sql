-- AlterTable
ALTER TABLE "User" ADD COLUMN     "passwordChanged" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "recoveryCodes" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "totpPending" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "totpSecret" TEXT NOT NULL DEFAULT '';

-- CreateTable
CREATE TABLE "GatewayCredential" (
    "installationId" INTEGER NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "created" INTEGER NOT NULL,

    CONSTRAINT "GatewayCredential_pkey" PRIMARY KEY ("installationId")
);

-- CreateTable
CREATE TABLE "TraceEntry" (
    "id" SERIAL NOT NULL,
    "timestamp" DOUBLE PRECISION NOT NULL,
    "path" TEXT NOT NULL DEFAULT '',
    "method" TEXT NOT NULL DEFAULT '',
    "userId" INTEGER NOT NULL DEFAULT 0,
    "action" TEXT NOT NULL,
    "objectType" TEXT NOT NULL,
    "objectId" INTEGER NOT NULL DEFAULT 0,
    "description" TEXT NOT NULL DEFAULT '',
    "ip" TEXT NOT NULL DEFAULT '',
    "installationId" INTEGER,
    "organizationId" INTEGER,

    CONSTRAINT "TraceEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "GatewayCredential_username_key" ON "GatewayCredential"("username");

-- CreateIndex
CREATE INDEX "TraceEntry_timestamp_idx" ON "TraceEntry"("timestamp");

-- CreateIndex
CREATE INDEX "TraceEntry_objectType_objectId_idx" ON "TraceEntry"("objectType", "objectId");

-- CreateIndex
CREATE INDEX "TraceEntry_userId_idx" ON "TraceEntry"("userId");

-- AddForeignKey
ALTER TABLE "GatewayCredential" ADD CONSTRAINT "GatewayCredential_installationId_fkey" FOREIGN KEY ("installationId") REFERENCES "Installation"("id") ON DELETE CASCADE ON UPDATE CASCADE;
