/**
 * NSE-like symbol names. The real data set writes NSE symbols with `&` and `-` replaced by `_`
 * (`M&M` → `M_M`, `BAJAJ-AUTO` → `BAJAJ_AUTO`); the pool below follows that convention.
 */
import type { Random } from './random.js';

const NSE_SYMBOLS = `
  RELIANCE TCS INFY HDFCBANK ICICIBANK SBIN BAJAJ_AUTO M_M TATAMOTORS TATASTEEL HINDUNILVR ITC LT
  AXISBANK KOTAKBANK MARUTI SUNPHARMA WIPRO HCLTECH ONGC NTPC POWERGRID COALINDIA ULTRACEMCO
  ASIANPAINT BHARTIARTL HEROMOTOCO EICHERMOT DRREDDY CIPLA GRASIM HINDALCO JSWSTEEL ADANIPORTS BPCL
  IOC GAIL TECHM BAJFINANCE BAJAJFINSV TITAN NESTLEIND BRITANNIA DABUR GODREJCP PIDILITIND BERGEPAINT
  LUPIN AUROPHARMA BIOCON TORNTPHARM SIEMENS ABB BHEL BEL IDEA ZEEL SUNTV PVR M_MFIN L_TFH J_KBANK
  MCDOWELL_N ARVIND 3MINDIA 63MOONS 21STCENMGM SCHAEFFLER BOSCHLTD MRF PAGEIND VOLTAS TATAPOWER
  YESBANK PNB BANKBARODA CANBK FEDERALBNK IDFCFIRSTB MOTHERSUMI ASHOKLEY TVSMOTOR APOLLOTYRE CESC NMDC
  SAIL VEDL HINDZINC GMRINFRA DLF GODREJPROP JUBLFOOD UBL
`
  .trim()
  .split(/\s+/);

const SYLLABLES = ['KA', 'RA', 'MA', 'NI', 'SHA', 'VI', 'TA', 'PRA', 'DE', 'GA', 'LO', 'SU', 'BHA', 'JA'];
const SUFFIXES = ['IND', 'LTD', 'FIN', 'TECH', 'INFRA', 'PHARMA', 'STEEL', 'CHEM', 'POWER', 'TEX'];

/** A made-up name such as `SHAVITECH` or `KARA_INFRA`, once the pool of real-looking names is used up. */
function inventedSymbol(random: Random): string {
  const stem = Array.from({ length: random.int(2, 3) }, () => random.pick(SYLLABLES)).join('');
  return `${stem}${random.chance(0.15) ? '_' : ''}${random.pick(SUFFIXES)}`;
}

/** `count` distinct symbol names, in a seed-determined order. */
export function chooseSymbols(random: Random, count: number): string[] {
  const chosen = random.shuffle([...NSE_SYMBOLS]).slice(0, count);
  const seen = new Set(chosen);
  while (chosen.length < count) {
    const name = inventedSymbol(random);
    if (!seen.has(name)) {
      seen.add(name);
      chosen.push(name);
    }
  }
  return chosen;
}

/** The real data set's file name: `<SYMBOL>__EQ__NSE__NSE__MINUTE.csv`. */
export function fileNameOf(symbol: string, gzip: boolean): string {
  return `${symbol}__EQ__NSE__NSE__MINUTE.csv${gzip ? '.gz' : ''}`;
}
