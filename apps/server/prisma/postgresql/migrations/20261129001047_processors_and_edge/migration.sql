-- CreateTable
CREATE TABLE "NotificationExecutor" (
    "id" SERIAL NOT NULL,
    "organizationId" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "config" TEXT NOT NULL DEFAULT '{}',
    "secret" TEXT NOT NULL DEFAULT '',
    "created" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,

    CONSTRAINT "NotificationExecutor_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationMessage" (
    "id" SERIAL NOT NULL,
    "installationId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "created" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,

    CONSTRAINT "NotificationMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationOutput" (
    "id" SERIAL NOT NULL,
    "installationId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "executorId" INTEGER NOT NULL,
    "messageId" INTEGER NOT NULL,
    "config" TEXT NOT NULL DEFAULT '{}',
    "created" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,

    CONSTRAINT "NotificationOutput_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NotificationDelivery" (
    "id" SERIAL NOT NULL,
    "outputId" INTEGER NOT NULL,
    "installationId" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttempt" INTEGER NOT NULL DEFAULT 0,
    "request" TEXT NOT NULL,
    "lastError" TEXT NOT NULL DEFAULT '',
    "created" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,

    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Schedule" (
    "id" SERIAL NOT NULL,
    "installationId" INTEGER NOT NULL,
    "executor" TEXT NOT NULL DEFAULT 'server',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "dayOfWeek" TEXT NOT NULL DEFAULT '*',
    "dayOfMonth" TEXT NOT NULL DEFAULT '*',
    "month" TEXT NOT NULL DEFAULT '*',
    "hour" TEXT NOT NULL DEFAULT '*',
    "minute" TEXT NOT NULL DEFAULT '*',
    "topic" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "created" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,
    "lastRun" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EdgeApp" (
    "id" SERIAL NOT NULL,
    "organizationId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "category" TEXT NOT NULL DEFAULT '',
    "tags" TEXT NOT NULL DEFAULT '[]',
    "shortDescription" TEXT NOT NULL DEFAULT '',
    "description" TEXT NOT NULL DEFAULT '',
    "official" BOOLEAN NOT NULL DEFAULT false,
    "public" BOOLEAN NOT NULL DEFAULT false,
    "sourceUrl" TEXT NOT NULL DEFAULT '',
    "created" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,

    CONSTRAINT "EdgeApp_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "EdgeAppVersion" (
    "appId" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "lua" TEXT NOT NULL,
    "json" TEXT NOT NULL,
    "timestamp" INTEGER NOT NULL,

    CONSTRAINT "EdgeAppVersion_pkey" PRIMARY KEY ("appId","hash")
);

-- CreateTable
CREATE TABLE "EdgeAppInstance" (
    "id" SERIAL NOT NULL,
    "appId" INTEGER NOT NULL,
    "installationId" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "config" TEXT NOT NULL DEFAULT '{}',
    "name" TEXT NOT NULL DEFAULT '',
    "created" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,

    CONSTRAINT "EdgeAppInstance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StoredFile" (
    "id" SERIAL NOT NULL,
    "hash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "mime" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "installationId" INTEGER,
    "organizationId" INTEGER,
    "created" INTEGER NOT NULL,
    "updated" INTEGER NOT NULL,

    CONSTRAINT "StoredFile_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "NotificationExecutor_organizationId_idx" ON "NotificationExecutor"("organizationId");

-- CreateIndex
CREATE INDEX "NotificationMessage_installationId_idx" ON "NotificationMessage"("installationId");

-- CreateIndex
CREATE INDEX "NotificationOutput_installationId_idx" ON "NotificationOutput"("installationId");

-- CreateIndex
CREATE INDEX "NotificationDelivery_status_nextAttempt_idx" ON "NotificationDelivery"("status", "nextAttempt");

-- CreateIndex
CREATE INDEX "NotificationDelivery_installationId_created_idx" ON "NotificationDelivery"("installationId", "created");

-- CreateIndex
CREATE INDEX "Schedule_installationId_idx" ON "Schedule"("installationId");

-- CreateIndex
CREATE INDEX "EdgeApp_organizationId_idx" ON "EdgeApp"("organizationId");

-- CreateIndex
CREATE INDEX "EdgeAppVersion_appId_name_idx" ON "EdgeAppVersion"("appId", "name");

-- CreateIndex
CREATE INDEX "EdgeAppInstance_installationId_idx" ON "EdgeAppInstance"("installationId");

-- CreateIndex
CREATE INDEX "EdgeAppInstance_appId_idx" ON "EdgeAppInstance"("appId");

-- CreateIndex
CREATE INDEX "StoredFile_hash_idx" ON "StoredFile"("hash");

-- CreateIndex
CREATE INDEX "StoredFile_installationId_idx" ON "StoredFile"("installationId");

-- CreateIndex
CREATE INDEX "StoredFile_organizationId_idx" ON "StoredFile"("organizationId");

-- AddForeignKey
ALTER TABLE "NotificationExecutor" ADD CONSTRAINT "NotificationExecutor_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationMessage" ADD CONSTRAINT "NotificationMessage_installationId_fkey" FOREIGN KEY ("installationId") REFERENCES "Installation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationOutput" ADD CONSTRAINT "NotificationOutput_installationId_fkey" FOREIGN KEY ("installationId") REFERENCES "Installation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationOutput" ADD CONSTRAINT "NotificationOutput_executorId_fkey" FOREIGN KEY ("executorId") REFERENCES "NotificationExecutor"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationOutput" ADD CONSTRAINT "NotificationOutput_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "NotificationMessage"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_outputId_fkey" FOREIGN KEY ("outputId") REFERENCES "NotificationOutput"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Schedule" ADD CONSTRAINT "Schedule_installationId_fkey" FOREIGN KEY ("installationId") REFERENCES "Installation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EdgeApp" ADD CONSTRAINT "EdgeApp_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EdgeAppVersion" ADD CONSTRAINT "EdgeAppVersion_appId_fkey" FOREIGN KEY ("appId") REFERENCES "EdgeApp"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EdgeAppInstance" ADD CONSTRAINT "EdgeAppInstance_appId_fkey" FOREIGN KEY ("appId") REFERENCES "EdgeApp"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EdgeAppInstance" ADD CONSTRAINT "EdgeAppInstance_installationId_fkey" FOREIGN KEY ("installationId") REFERENCES "Installation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StoredFile" ADD CONSTRAINT "StoredFile_installationId_fkey" FOREIGN KEY ("installationId") REFERENCES "Installation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StoredFile" ADD CONSTRAINT "StoredFile_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
