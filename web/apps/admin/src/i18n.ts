import { mergeCatalogs, uiCatalogs, useI18n, type MessageKey, type UiKey } from "@lyceum/ui";
import { en, es } from "./messages";

export type AdminKey = MessageKey<typeof en> | UiKey;
export const catalogs = mergeCatalogs(uiCatalogs, { en, es });
export const useT = () => useI18n<AdminKey>();
