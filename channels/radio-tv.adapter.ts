import { RadioSettings } from "../content/broadcast/stations.js";
import type { AdapterFactory, ChannelAdapter } from "../content/ports/adapter.js";
import { stationHandover, stationProblems } from "./loudspeaker.adapter.js";

/**
 * A radio or TV station airing the press programme (kind `radio_tv`): the station's prompter reads the
 * week's rundown export (`GET /api/programmes/weeks/:week`), so handing a programme over sends nothing;
 * its broadcaster confirms what was aired.
 */
export const radioTvFactory: AdapterFactory<typeof RadioSettings> = {
  kind: "radio_tv",
  settings: RadioSettings,
  needsSecret: false,
  create(): ChannelAdapter {
    return {
      kind: "radio_tv",
      check: (req) => stationProblems(req, "the station"),
      async publish(req) {
        const b = stationHandover(req);
        return { externalId: `${b.week}/${req.item.id}`, url: b.urls.script };
      },
    };
  },
};
