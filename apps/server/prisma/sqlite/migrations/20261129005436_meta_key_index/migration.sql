-- DropIndex
DROP INDEX "DeviceMeta_key_value_idx";

-- DropIndex
DROP INDEX "FunctionMeta_key_value_idx";

-- CreateIndex
CREATE INDEX "DeviceMeta_key_idx" ON "DeviceMeta"("key");

-- CreateIndex
CREATE INDEX "FunctionMeta_key_idx" ON "FunctionMeta"("key");
